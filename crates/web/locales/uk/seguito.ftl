# Повідомлення з офісом, відповіді на запит документів або на попередження, рішення.

follow-errors = Нічого не надіслано: виправте те, що вказано.
sent-message = Повідомлення надіслано до офісу.
sent-document = Документ надіслано до офісу.
sent-observations = Зауваження надіслано до офісу: він урахує їх у рішенні.

integration-title = Надішліть запитані документи
integration-lead = Офіс чекає документів або відомостей, щоб продовжити розгляд заяви. Що потрібно, зазначено в запиті на додаткові документи серед листів нижче.
integration-requirement = Документ, який ви надсилаєте
integration-file = Файл
integration-note = Примітка для офісу (необов'язково)
integration-submit = Надіслати документ
document-present = уже надіслано
document-missing = бракує
document-other = інший документ
file-hint = PDF, JPEG, PNG або P7M, не більше 10 МіБ.

observations-title = Надішліть свої зауваження
observations-lead = Ви можете пояснити офісу, чому заяву слід задовольнити, за потреби з документом, до { $date }.
observations-text = Ваші зауваження
observations-file = Документ на підтвердження (необов'язково)
observations-submit = Надіслати зауваження

messages-title = Повідомлення з офісом
messages-none = Поки що повідомлень немає.
message-write = Написати до офісу
message-hint = Офіс відповідає тут; коли з'явиться відповідь, ви отримаєте електронний лист.
message-submit = Надіслати повідомлення
message-document = Документ:
message-from-office = { $name } ({ $office })
message-kind-message = повідомлення
message-kind-integration = додаткові документи
message-kind-observations = зауваження до попередження про відмову

letters-title = Листи офісу
letter-decision = Рішення щодо заяви
letter-notice = Попередження про відмову (причини, з яких заяву може бути не задоволено)
letter-integration = Запит на додаткові документи

documents-title = Документи заяви
documents-file = Файл
documents-for = Для
documents-when = Надіслано
document-by-you = надіслано вами

deliveries-title = Надання послуги та співоплата
deliveries-totals = Надано досі: { $delivered }. Ваша співоплата досі: { $copayment }.
deliveries-month = Місяць
deliveries-status = Стан
deliveries-amount = Надано
deliveries-copayment = Співоплата
delivery-prevista = заплановано
delivery-erogata = надано
delivery-sospesa = призупинено

follow-error-not-waiting = офіс не чекає документів щодо цієї заяви: якщо хочете щось надіслати, напишіть повідомлення до офісу
follow-error-closed = заяву закрито: надсилати інші документи вже не можна
follow-error-no-notice = щодо цієї заяви немає попередження про відмову, на яке треба відповісти
