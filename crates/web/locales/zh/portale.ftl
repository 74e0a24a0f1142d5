# 市民门户：简体中文（译自意大利语；未翻译的信息以意大利语显示）。

portal-name = 社会服务门户
portal-tagline = 网上社会服务
skip-content = 跳到主要内容
skip-menu = 跳到导航菜单
menu-label = 主菜单
lang-label = 语言
nav-home = 首页
nav-applications = 我的申请
nav-accesses = 谁查看过我的资料
sign-in = 登录
sign-out = 退出
footer-text = 社会服务门户，使用自由软件 Sportello 制作（EUPL 1.2）。

home-title = 网上社会服务
home-lead = 在这里，您可以跟进向本市（Comune）社会服务部门提交的申请，查看办理进度，以及谁查看过您的资料。您还可以计算某项服务需要支付多少费用。
home-sign-in = 使用 SPID 或 CIE 登录
home-welcome = 您好，{ $name }。
home-your-applications = 查看您的申请
home-your-accesses = 查看谁查看过您的资料
home-calculate-title = 我需要付多少钱
home-calculate-lead = 请选择服务：根据您的 ISEE 和少量其他信息，您可以立即知道自己是否有资格享受该服务以及费用是多少，计算规则与办公室使用的相同。
home-no-benefits = 目前还没有公布任何服务。

signin-title = 登录门户
signin-lead = 请使用您的数字身份登录：SPID 或电子身份证（CIE）。我们通过您的税号（codice fiscale）识别您的身份。
signin-with = 使用 { $provider } 登录
signin-unavailable = 本门户尚未开通 SPID 和 CIE 登录。如需了解您的申请情况，请前往本市的服务窗口。
signin-failed = 登录未成功。请重试；如果问题再次出现，请前往服务窗口。
signin-unknown = 您不在本门户社会服务部门的服务对象名单中。如需提交第一份申请，请前往本市的服务窗口。
signin-refused = 此身份无法登录本门户。请前往服务窗口。
signout-done = 您已退出门户。

applications-title = 我的申请
applications-lead = 为您本人或您所代表的人提交的申请：在服务窗口、通过 CAF 或在网上提交。
applications-none = 没有已提交的申请。
applications-count = { $n ->
   *[other] { $n } 份申请
}
col-benefit = 服务
col-protocol = 登记编号
col-filed = 提交日期
col-state = 办理进度
col-for = 申请对象
col-office = 办公室
col-when = 日期和时间
col-who = 查看人
col-what = 查看内容
col-reason = 原因
for-self = 您本人
open-application = 打开

application-title = 申请：{ $benefit }
application-protocol = 登记编号
application-filed = 提交日期
application-channel = 提交方式
application-for = 申请对象
application-state = 办理进度
application-next = 接下来会怎样
application-due = 办公室必须在 { $date } 之前完成办理（第 241/1990 号法律）。
application-decided = { $date } 作出的决定。
application-amount = 核准金额
application-history = 申请的各个阶段
application-back = 返回您的申请
application-no-protocol = 尚未登记

state-presentata = 已收到：办公室将进行审核。
state-in_istruttoria = 办公室正在审核。
state-integrazione_richiesta = 办公室要求您补充文件或信息。
state-preavviso_rigetto = 办公室已告知您申请可能不被批准的原因：您可以在 10 天内提交意见。
state-accolta = 已批准。
state-respinta = 未获批准。
state-archiviata = 已归档。
state-in_erogazione = 已批准：服务或补助正在提供中。
state-conclusa = 已结束。
state-bozza = 准备中。

next-presentata = 工作人员将受理申请并核查条件。
next-in_istruttoria = 审核结束后，您将收到决定。
next-integrazione_richiesta = 请将缺少的材料带到或寄到办公室：材料收到后，办理期限重新计算。
next-preavviso_rigetto = 如果您有办公室没有考虑到的情况，请在收到通知后 10 天内提交您的意见。
next-accolta = 办公室正在安排服务的开始或付款。
next-respinta = 决定中写明了原因以及如何申诉。
next-archiviata = 申请不再继续办理。
next-in_erogazione = 服务或补助正在提供中：办公室每月进行登记。
next-conclusa = 没有其他步骤了。
next-bozza = 申请尚未提交。

accesses-title = 谁查看过我的资料
accesses-lead = 每当办公室有人打开您的档案、社会服务卷宗、申请或 ISEE 时，都会记录在这里：日期和时间、办公室、查看人和查看内容。保密记录的内容永远不会显示。
accesses-none = 还没有工作人员查看过这些资料。
accesses-person = 资料所属人
accesses-show = 显示
accesses-limit = 显示最近 { $n } 次查看。

quanto-title = 我需要付多少钱：{ $benefit }
quanto-lead = 请输入您的信息：计算使用与办公室相同的规则。这只是估算：以对申请作出的决定为准。
quanto-isee = ISEE 数值（欧元）
quanto-isee-hint = 您可以在 ISEE 证明上找到它；如果没有，请留空。
quanto-household = 家庭人数
quanto-minors = 其中未成年人人数
quanto-birth = 接受服务者的出生日期
quanto-birth-hint = 格式为 日/月/年（dd/mm/yyyy）。
quanto-resident = 在本市有户籍（residenza）
quanto-resident-since = 户籍登记日期
quanto-disability = 有经认证的残疾或生活不能自理
quanto-units = 每月数量（小时、餐、天）
quanto-cost = 每月服务费用（欧元）
quanto-submit = 计算
quanto-result = 结果
quanto-eligible = 根据这些信息，您有资格享受。
quanto-not-eligible = 根据这些信息，您没有资格享受：至少有一项条件不符合。
quanto-requirements = 条件
quanto-amount = 金额
quanto-how = 计算方法
quanto-rules = 适用的规则：自 { $date } 起生效的版本，{ $citation }。
quanto-no-amount = 根据这些信息，规则中没有可以计算的金额。
quanto-errors = 请检查您填写的信息：
met = 符合
not-met = 不符合
to-check = 有待核实

error-title = 出了点问题
error-text = 出现了问题。请重试；如果再次出现，请前往本市的服务窗口。
error-not-found-title = 找不到页面
error-not-found = 您要找的页面不存在或已被移动。请检查地址，或返回首页。
error-forbidden-title = 无权访问
error-forbidden = 您无法查看此页面。如果您认为这是错误，请前往本市的服务窗口。
error-bad-request-title = 请求无效
error-bad-request = 提交的信息无效：请检查后重试。
error-later-title = 请稍后再试
error-later = 门户目前无法响应。请过几分钟再试。
error-internal-title = 内部错误
error-internal = 发生了错误。请重试；如果问题再次出现，请前往本市的服务窗口。
error-code = 错误代码：{ $code }。
error-home = 返回首页
