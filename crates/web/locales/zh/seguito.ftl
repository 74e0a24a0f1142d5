# 与办公室的往来消息、对补充材料要求或通知的答复、决定。

follow-errors = 没有发送任何内容：请更正标出的问题。
sent-message = 消息已发送给办公室。
sent-document = 文件已发送给办公室。
sent-observations = 意见已发送给办公室：办公室作决定时会加以考虑。

integration-title = 发送所要求的文件
integration-lead = 办公室正在等待文件或信息，以便继续审核申请。所需材料写在下面信件中的补充材料要求里。
integration-requirement = 您发送的文件
integration-file = 文件
integration-note = 给办公室的备注（可选）
integration-submit = 发送文件
document-present = 已发送
document-missing = 缺少
document-other = 其他文件
file-hint = PDF、JPEG、PNG 或 P7M，最大 10 MiB。

observations-title = 发送您的意见
observations-lead = 您可以在 { $date } 之前向办公室说明申请应当获批的理由，如有需要可附上文件。
observations-text = 您的意见
observations-file = 证明文件（可选）
observations-submit = 发送意见

messages-title = 与办公室的消息
messages-none = 暂无消息。
message-write = 给办公室写信
message-hint = 办公室会在这里回复您；有回复时您会收到一封电子邮件。
message-submit = 发送消息
message-document = 文件：
message-from-office = { $name }（{ $office }）
message-kind-message = 消息
message-kind-integration = 补充材料
message-kind-observations = 对拒绝预告通知的意见

letters-title = 办公室的信件
letter-decision = 决定（对申请作出的决定）
letter-notice = 拒绝预告通知（申请可能不获批准的理由）
letter-integration = 补充材料要求

documents-title = 申请的文件
documents-file = 文件
documents-for = 用于
documents-when = 发送时间
document-by-you = 由您发送

deliveries-title = 服务提供与自付费用
deliveries-totals = 目前已提供：{ $delivered }。目前您的自付费用：{ $copayment }。
deliveries-month = 月份
deliveries-status = 状态
deliveries-amount = 已提供
deliveries-copayment = 自付费用
delivery-prevista = 计划中
delivery-erogata = 已提供
delivery-sospesa = 已暂停

follow-error-not-waiting = 办公室目前没有在等待这份申请的文件：如果您想发送什么，请给办公室写消息
follow-error-closed = 申请已结束：不能再发送其他文件
follow-error-no-notice = 这份申请没有需要答复的拒绝预告通知
