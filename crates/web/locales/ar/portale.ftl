# بوابة المواطن: العربية (مترجمة من الإيطالية؛ الرسائل غير المترجمة تظهر بالإيطالية).

portal-name = بوابة الخدمات الاجتماعية
portal-tagline = الخدمات الاجتماعية عبر الإنترنت
skip-content = انتقل إلى المحتوى الرئيسي
skip-menu = انتقل إلى قائمة التصفح
menu-label = القائمة الرئيسية
lang-label = اللغة
nav-home = الصفحة الرئيسية
nav-applications = طلباتي
nav-accesses = من اطّلع على بياناتي
sign-in = تسجيل الدخول
sign-out = تسجيل الخروج
footer-text = بوابة الخدمات الاجتماعية، أُنجزت باستخدام Sportello، وهو برنامج حر (EUPL 1.2).

home-title = الخدمات الاجتماعية عبر الإنترنت
home-lead = هنا يمكنك متابعة الطلبات المقدَّمة إلى الخدمات الاجتماعية في بلديتك (Comune)، ومعرفة المرحلة التي وصلت إليها، ومن اطّلع على بياناتك. ويمكنك أيضًا حساب المبلغ الذي ستدفعه مقابل خدمة ما.
home-sign-in = الدخول باستخدام SPID أو CIE
home-welcome = مرحبًا { $name }.
home-your-applications = اطّلع على طلباتك
home-your-accesses = اعرف من اطّلع على بياناتك
home-calculate-title = كم سأدفع
home-calculate-lead = اختر الخدمة: باستخدام مؤشر ISEE الخاص بك وبعض البيانات الأخرى تعرف فورًا هل يحق لك الحصول عليها وكم تكلّف، وفق القواعد نفسها التي يستخدمها المكتب.
home-no-benefits = لم تُنشر أي خدمة بعد.

signin-title = تسجيل الدخول إلى البوابة
signin-lead = ادخل بهويتك الرقمية: SPID أو بطاقة الهوية الإلكترونية (CIE). نتعرّف عليك من خلال الرقم الضريبي (codice fiscale).
signin-with = الدخول باستخدام { $provider }
signin-unavailable = الدخول باستخدام SPID وCIE غير مفعَّل بعد في هذه البوابة. للاستفسار عن طلباتك، يُرجى التوجّه إلى شبّاك الخدمات في بلديتك.
signin-failed = لم ينجح تسجيل الدخول. حاول مرة أخرى؛ وإذا تكررت المشكلة، يُرجى التوجّه إلى شبّاك الخدمات.
signin-unknown = لستَ من بين الأشخاص الذين تتابعهم الخدمات الاجتماعية في هذه البوابة. لتقديم طلبك الأول، يُرجى التوجّه إلى شبّاك الخدمات في بلديتك.
signin-refused = لا يمكن الدخول إلى البوابة بهذه الهوية. يُرجى التوجّه إلى شبّاك الخدمات.
signout-done = لقد خرجت من البوابة.

applications-title = طلباتي
applications-lead = الطلبات المقدَّمة باسمك أو باسم الأشخاص الذين تمثّلهم: في شبّاك الخدمات، أو عن طريق أحد مراكز CAF، أو عبر الإنترنت.
applications-none = لا توجد طلبات مقدَّمة.
applications-count = { $n ->
    [zero] لا توجد طلبات
    [one] طلب واحد
    [two] طلبان
    [few] { $n } طلبات
    [many] { $n } طلبًا
   *[other] { $n } طلب
}
col-benefit = الخدمة
col-protocol = رقم التسجيل
col-filed = تاريخ التقديم
col-state = المرحلة الحالية
col-for = لصالح
col-office = المكتب
col-when = التاريخ والوقت
col-who = من
col-what = ماذا
col-reason = السبب
for-self = أنت
open-application = فتح

application-title = طلب: { $benefit }
application-protocol = رقم التسجيل
application-filed = تاريخ التقديم
application-channel = طريقة التقديم
application-for = لصالح
application-state = المرحلة الحالية
application-next = ماذا سيحدث الآن
application-due = يجب على المكتب أن يُنهي الإجراء في موعد أقصاه { $date } (القانون 241/1990).
application-decided = قرار بتاريخ { $date }.
application-amount = المبلغ المعترف به
application-history = مراحل الطلب
application-back = العودة إلى طلباتك
application-no-protocol = لم يُسجَّل بعد

state-presentata = تم الاستلام: سيدرسه المكتب.
state-in_istruttoria = المكتب يدرس الطلب.
state-integrazione_richiesta = طلب منك المكتب مستندات أو معلومات إضافية.
state-preavviso_rigetto = أبلغك المكتب بالأسباب التي قد تؤدي إلى عدم قبول الطلب: يمكنك إرسال ملاحظاتك خلال 10 أيام.
state-accolta = مقبول.
state-respinta = مرفوض.
state-archiviata = محفوظ في الأرشيف.
state-in_erogazione = مقبول: الخدمة أو المساعدة جارية.
state-conclusa = منتهٍ.
state-bozza = قيد الإعداد.

next-presentata = يتولّى أحد الموظفين الطلب ويتحقق من الشروط.
next-in_istruttoria = عند انتهاء الدراسة ستتلقى القرار.
next-integrazione_richiesta = أحضِر أو أرسِل إلى المكتب ما ينقص: تبدأ مهلة إنهاء الإجراء من جديد عند وصوله.
next-preavviso_rigetto = إذا كانت لديك معطيات لم يأخذها المكتب في الحسبان، أرسِل ملاحظاتك خلال 10 أيام من تاريخ الإبلاغ.
next-accolta = يُنظّم المكتب بدء الخدمة أو الدفع.
next-respinta = تجد في القرار الأسباب وطريقة تقديم الطعن.
next-archiviata = لن يُستكمل الطلب.
next-in_erogazione = الخدمة أو المساعدة جارية: يسجّل المكتب كل شهر.
next-conclusa = لا توجد خطوات أخرى.
next-bozza = لم يُقدَّم الطلب بعد.

accesses-title = من اطّلع على بياناتي
accesses-lead = في كل مرة يفتح فيها أحد موظفي المكتب بطاقتك أو ملفك الاجتماعي أو طلباتك أو مؤشر ISEE الخاص بك، يُسجَّل ذلك هنا: التاريخ والوقت، والمكتب، ومن اطّلع وعلى ماذا. لا يُعرض أبدًا محتوى الملاحظات السرية.
accesses-none = لم يطّلع أي موظف على هذه البيانات بعد.
accesses-person = بيانات
accesses-show = عرض
accesses-limit = تُعرض آخر { $n } عملية اطلاع.

quanto-title = كم سأدفع: { $benefit }
quanto-lead = أدخِل بياناتك: يستخدم الحساب القواعد نفسها التي يستخدمها المكتب. هذا تقدير فقط: العبرة بالقرار الصادر بشأن الطلب.
quanto-isee = قيمة ISEE (باليورو)
quanto-isee-hint = تجدها في شهادة ISEE؛ اترك الحقل فارغًا إذا لم تكن لديك.
quanto-household = عدد أفراد الأسرة
quanto-minors = منهم من القاصرين
quanto-birth = تاريخ ميلاد الشخص الذي يتلقى الخدمة
quanto-birth-hint = بالصيغة يوم/شهر/سنة (dd/mm/yyyy).
quanto-resident = مقيم في البلدية
quanto-resident-since = مقيم منذ
quanto-disability = لديه إعاقة أو عدم قدرة على الاعتماد على النفس مثبتة بشهادة
quanto-units = الكمية في الشهر (ساعات، وجبات، أيام)
quanto-cost = تكلفة الخدمة في الشهر (باليورو)
quanto-submit = احسب
quanto-result = النتيجة
quanto-eligible = بهذه البيانات يحق لك الحصول عليها.
quanto-not-eligible = بهذه البيانات لا يحق لك الحصول عليها: شرط واحد على الأقل غير مستوفى.
quanto-requirements = الشروط
quanto-amount = المبلغ
quanto-how = طريقة الحساب
quanto-rules = القواعد المطبّقة: النسخة السارية منذ { $date }، { $citation }.
quanto-no-amount = لا تنص القواعد على مبلغ يمكن حسابه بهذه البيانات.
quanto-errors = تحقّق من البيانات التي أدخلتها:
met = مستوفى
not-met = غير مستوفى
to-check = يحتاج إلى تحقق

error-title = حدث خطأ ما
error-text = حدثت مشكلة. حاول مرة أخرى؛ وإذا تكررت، يُرجى التوجّه إلى شبّاك الخدمات في بلديتك.
error-not-found-title = الصفحة غير موجودة
error-not-found = الصفحة التي تبحث عنها غير موجودة أو نُقلت إلى مكان آخر. تحقّق من العنوان أو عُد إلى الصفحة الرئيسية.
error-forbidden-title = الدخول غير مسموح
error-forbidden = لا يمكنك الاطلاع على هذه الصفحة. إذا كنت تعتقد أن في ذلك خطأ، يُرجى التوجّه إلى شبّاك الخدمات في بلديتك.
error-bad-request-title = طلب غير صالح
error-bad-request = البيانات المرسلة غير صالحة: تحقّق منها وحاول مرة أخرى.
error-later-title = حاول لاحقًا
error-later = لا تستطيع البوابة الرد في الوقت الحالي. حاول مرة أخرى بعد بضع دقائق.
error-internal-title = خطأ داخلي
error-internal = حدث خطأ. حاول مرة أخرى؛ وإذا تكررت المشكلة، يُرجى التوجّه إلى شبّاك الخدمات في بلديتك.
error-code = رمز الخطأ: { $code }.
error-home = العودة إلى الصفحة الرئيسية

# The access log: what was opened, and the operator named by role.
opened-person = بطاقة السجل
opened-isee = ISEE
opened-application = طلب
opened-document = مستند
opened-casefile = الملف الاجتماعي
opened-assessment = تقييم
opened-plan = الخطة الفردية (PAI)
opened-access = بطاقة مراجعة الأمانة الاجتماعية
opened-household = الأسرة
opened-confidential = الجزء السري من الملف الاجتماعي
opened-other = بطاقة
role-amministratore = مسؤول النظام
role-responsabile = مسؤول الخدمة
role-assistente_sociale = أخصائي اجتماعي
role-operatore_sportello = موظف الاستقبال
role-operatore_caf = موظف CAF
role-ragioneria = المحاسبة
role-revisore = مدقق
role-cittadino = مواطن
operator-former = موظف في المكتب

# أخطاء النماذج: بجانب الحقل، وفي القائمة أعلى النموذج بعد اسم الحقل.
field-problem = { $field }: { $problem }
field-required = املأ هذا الحقل
field-choose = اختر قيمة من القائمة
field-too-long = النص طويل جدًا: الحد الأقصى لعدد الأحرف هو { $max }
field-character = يحتوي على حرف غير مسموح به ({ $char }): احذفه
field-date = «{ $value }» ليس تاريخًا صحيحًا: اكتبه بالصيغة يوم/شهر/سنة (dd/mm/yyyy)، مثلًا 01/03/2015
field-date-span = يجب أن يكون التاريخ بين { $first } و{ $last }
field-date-future = لا يمكن أن يكون التاريخ في المستقبل
field-amount = «{ $value }» ليس مبلغًا صحيحًا: اكتبه باليورو، مع فاصلة قبل الكسور العشرية، مثلًا 250,00
field-amount-negative = لا يمكن أن يكون المبلغ سالبًا
field-amount-too-large = المبلغ يتجاوز الحد الأقصى المسموح به ({ $max })
field-whole-number = «{ $value }» غير مقبول: اكتب عددًا صحيحًا من { $min } إلى { $max }
field-email = «{ $value }» ليس عنوان بريد إلكتروني صحيحًا
field-file = اختر الملف الذي تريد إرفاقه
field-file-too-large = يتجاوز الملف الحجم الأقصى وهو { $mib } ميبيبايت (MiB)
field-file-unreadable = تتعذّر قراءة ملف PDF: فهو ناقص أو تالف؛ حاول حفظه مرة أخرى بصيغة PDF
field-file-type = الملف ليس PDF ولا صورة JPEG أو PNG ولا مستندًا موقّعًا رقميًا (P7M)
field-file-name = الاسم «{ $name }» لا يطابق محتوى الملف ({ $kind }): غيّر اسمه أو اختر الملف الصحيح
field-requirement = المستند المختار ليس من المستندات المطلوبة لهذه الخدمة
quanto-error-birth = لا يمكن أن يكون تاريخ الميلاد بعد تاريخ الطلب
quanto-error-minors = لا يمكن أن يكون عدد القاصرين ({ $minors }) أكبر من عدد أفراد الأسرة ({ $household })
