# 门户本地账户：使用税号和密码登录，以及通过电子邮件链接设置密码。

local-signin-title = 使用税号和密码登录
local-signin-lead = 如果您没有 SPID 或 CIE，可以使用密码登录。密码通过发送到您向市政府登记的电子邮箱的链接来设置。
local-signin-password = 密码
local-signin-submit = 登录
local-signin-wrong = 税号或密码不正确。
local-register-link = 首次登录：设置密码
local-forgot-link = 忘记密码？
local-wait = { $n ->
   *[other] 失败次数过多。为安全起见，请在 { $n } 分钟后重试。
}
register-title = 设置门户密码
register-forgotten-title = 忘记密码
register-lead = 请填写您的税号以及您向市政府社会服务部门登记的电子邮箱。如果与登记信息一致，我们会发送一个设置密码的链接。
register-cf = 税号
register-email = 电子邮箱
register-email-hint = 与您在窗口登记的相同，例如 name@example.it。
register-submit = 发送链接
register-errors = 未发送任何内容：请更正标出的内容。
register-cf-invalid = 请填写 16 位税号，与医疗卡上的一致。
register-email-invalid = 请按 name@example.it 的格式填写电子邮箱。
register-sent = 如果信息与市政府登记的一致，您将收到一封带有设置密码链接的电子邮件。该链接 24 小时内有效，且只能使用一次。
register-sent-more = 如果几分钟内没有收到邮件，请检查垃圾邮件文件夹。如果您的邮箱已更改，请到市政府窗口告知。
register-back = 返回登录
register-counter = 如果您从未向社会服务部门登记过电子邮箱，请到市政府窗口办理。
confirm-title = 设置您的密码
confirm-lead = 请设置您今后使用税号登录门户时的密码。
confirm-password = 新密码
confirm-password-hint = 至少 12 个字符。由几个词组成的句子容易记住，也难以猜到。
confirm-again = 再次输入密码
confirm-submit = 保存密码并登录
confirm-errors = 密码未保存：请更正标出的内容。
confirm-mismatch = 两次输入的密码不一致：请输入相同的密码。
confirm-invalid = 链接无效：已被使用、已过期，或您已申请了更新的链接。
confirm-ask-again = 重新申请链接
password-too-short = 密码至少需要 12 个字符。
password-too-long = 密码最多 128 个字符。
password-guessable = 密码过于常见或容易被猜到：请选择更长或更难预测的密码，例如由几个词组成的句子。
