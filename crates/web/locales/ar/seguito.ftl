# المراسلات مع المكتب، والرد على طلب استكمال المستندات أو على الإشعار، والقرار.

follow-errors = لم يُرسَل شيء: صحّح ما هو مشار إليه.
sent-message = أُرسلت الرسالة إلى المكتب.
sent-document = أُرسل المستند إلى المكتب.
sent-observations = أُرسلت ملاحظاتك إلى المكتب: سيأخذها في الحسبان عند اتخاذ القرار.

integration-title = أرسل المستندات المطلوبة
integration-lead = ينتظر المكتب مستندات أو معلومات لمواصلة دراسة الطلب. تجد ما هو مطلوب في طلب استكمال المستندات، ضمن الرسائل أدناه.
integration-requirement = المستند الذي ترسله
integration-file = الملف
integration-note = ملاحظة للمكتب (اختيارية)
integration-submit = إرسال المستند
document-present = أُرسل مسبقًا
document-missing = ناقص
document-other = مستند آخر
file-hint = PDF أو JPEG أو PNG أو P7M، بحد أقصى 10 ميبيبايت (MiB).

observations-title = أرسل ملاحظاتك
observations-lead = يمكنك أن تشرح للمكتب لماذا ينبغي قبول الطلب، مع مستند إذا لزم الأمر، حتى { $date }.
observations-text = ملاحظاتك
observations-file = مستند داعم (اختياري)
observations-submit = إرسال الملاحظات

messages-title = الرسائل مع المكتب
messages-none = لا توجد رسائل حتى الآن.
message-write = اكتب إلى المكتب
message-hint = يردّ عليك المكتب هنا؛ وعندما يصل رد تتلقى رسالة بالبريد الإلكتروني.
message-submit = إرسال الرسالة
message-document = المستند:
message-from-office = { $name } ({ $office })
message-kind-message = رسالة
message-kind-integration = مستندات استكمالية
message-kind-observations = ملاحظات على الإشعار المسبق بالرفض

letters-title = رسائل المكتب
letter-decision = القرار (البتّ في الطلب)
letter-notice = إشعار مسبق بالرفض (الأسباب التي قد تحول دون قبول الطلب)
letter-integration = طلب استكمال المستندات

documents-title = مستندات الطلب
documents-file = الملف
documents-for = لأجل
documents-when = تاريخ الإرسال
document-by-you = أرسلتَه أنت

deliveries-title = تقديم الخدمة والمساهمة في التكلفة
deliveries-totals = ما قُدِّم حتى الآن: { $delivered }. مساهمتك في التكلفة حتى الآن: { $copayment }.
deliveries-month = الشهر
deliveries-status = الحالة
deliveries-amount = ما قُدِّم
deliveries-copayment = المساهمة في التكلفة
delivery-prevista = مقرَّرة
delivery-erogata = مقدَّمة
delivery-sospesa = موقوفة

follow-error-not-waiting = المكتب لا ينتظر مستندات لهذا الطلب: إذا أردت إرسال شيء، فاكتب رسالة إلى المكتب
follow-error-closed = الطلب مغلق: لا يمكن إرسال مستندات أخرى
follow-error-no-notice = لا يوجد لهذا الطلب إشعار مسبق بالرفض ينتظر الرد
