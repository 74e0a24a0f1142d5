# Портал громадянина: українська (переклад з італійської; відсутні повідомлення показуються італійською).

portal-name = Портал соціальних служб
portal-tagline = Соціальні послуги онлайн
skip-content = Перейти до основного вмісту
skip-menu = Перейти до меню навігації
menu-label = Головне меню
lang-label = Мова
nav-home = Головна
nav-applications = Мої заяви
nav-accesses = Хто переглядав мої дані
sign-in = Увійти
sign-out = Вийти
footer-text = Портал соціальних служб, створений за допомогою Sportello, вільного програмного забезпечення (EUPL 1.2).

home-title = Соціальні послуги онлайн
home-lead = Тут ви можете стежити за заявами, поданими до соціальних служб вашої громади (Comune), бачити, на якому вони етапі, і хто переглядав ваші дані. Також можна розрахувати, скільки ви заплатите за послугу.
home-sign-in = Увійти через SPID або CIE
home-welcome = Вітаємо, { $name }.
home-your-applications = Переглянути ваші заяви
home-your-accesses = Переглянути, хто бачив ваші дані
home-calculate-title = Скільки я заплачу
home-calculate-lead = Оберіть послугу: за вашим ISEE та кількома іншими даними ви одразу побачите, чи маєте на неї право і скільки вона коштує, за тими самими правилами, якими користується офіс.
home-no-benefits = Жодну послугу ще не опубліковано.

signin-title = Вхід до порталу
signin-lead = Увійдіть за допомогою вашої цифрової ідентичності: SPID або електронної посвідки особи (CIE). Ми впізнаємо вас за податковим кодом (codice fiscale).
signin-with = Увійти через { $provider }
signin-unavailable = Вхід через SPID і CIE на цьому порталі ще не працює. Щодо ваших заяв зверніться, будь ласка, до приймальні вашої громади.
signin-failed = Не вдалося увійти. Спробуйте ще раз; якщо проблема повториться, зверніться до приймальні.
signin-unknown = Вас немає серед осіб, з якими працюють соціальні служби цього порталу. Щоб подати першу заяву, зверніться до приймальні вашої громади.
signin-refused = З цією ідентичністю увійти до порталу неможливо. Зверніться, будь ласка, до приймальні.
signout-done = Ви вийшли з порталу.

applications-title = Мої заяви
applications-lead = Заяви, подані від вашого імені або від імені осіб, яких ви представляєте: у приймальні, через CAF або онлайн.
applications-none = Поданих заяв немає.
applications-count = { $n ->
    [one] { $n } заява
    [few] { $n } заяви
    [many] { $n } заяв
   *[other] { $n } заяви
}
col-benefit = Послуга
col-protocol = Реєстраційний номер
col-filed = Дата подання
col-state = На якому етапі
col-for = Для кого
col-office = Офіс
col-when = Дата й час
col-who = Хто
col-what = Що
col-reason = Причина
for-self = вас
open-application = Відкрити

application-title = Заява: { $benefit }
application-protocol = Реєстраційний номер
application-filed = Дата подання
application-channel = Спосіб подання
application-for = Для кого
application-state = На якому етапі
application-next = Що буде далі
application-due = Офіс має ухвалити рішення до { $date } (закон 241/1990).
application-decided = Рішення від { $date }.
application-amount = Призначена сума
application-history = Етапи заяви
application-back = Повернутися до ваших заяв
application-no-protocol = ще не зареєстрована

state-presentata = Отримана: офіс її розгляне.
state-in_istruttoria = Офіс її розглядає.
state-integrazione_richiesta = Офіс попросив у вас додаткові документи або відомості.
state-preavviso_rigetto = Офіс повідомив вам причини, з яких заяву може бути не задоволено: ви можете надіслати свої зауваження протягом 10 днів.
state-accolta = Задоволена.
state-respinta = Відхилена.
state-archiviata = Закрита без рішення.
state-in_erogazione = Задоволена: послуга або допомога надається.
state-conclusa = Завершена.
state-bozza = Готується.

next-presentata = Працівник бере заяву в роботу і перевіряє умови.
next-in_istruttoria = Коли розгляд завершиться, ви отримаєте рішення.
next-integrazione_richiesta = Принесіть або надішліть до офісу те, чого бракує: строк розгляду знову почне спливати, коли це надійде.
next-preavviso_rigetto = Якщо у вас є відомості, які офіс не врахував, надішліть свої зауваження протягом 10 днів від повідомлення.
next-accolta = Офіс організовує початок надання послуги або виплату.
next-respinta = У рішенні вказано причини і як його оскаржити.
next-archiviata = Розгляд заяви не продовжується.
next-in_erogazione = Послуга або допомога надається: офіс щомісяця робить записи.
next-conclusa = Більше кроків немає.
next-bozza = Заяву ще не подано.

accesses-title = Хто переглядав мої дані
accesses-lead = Щоразу, коли хтось з офісу відкриває вашу картку, вашу соціальну справу, ваші заяви або ваш ISEE, це записується тут: дата й час, офіс, хто і що. Зміст конфіденційних нотаток ніколи не показується.
accesses-none = Жоден працівник ще не переглядав ці дані.
accesses-person = Дані особи
accesses-show = Показати
accesses-limit = Показано останні { $n } переглядів.

quanto-title = Скільки я заплачу: { $benefit }
quanto-lead = Введіть ваші дані: розрахунок виконується за тими самими правилами, що й в офісі. Це лише оцінка: важливим є рішення щодо заяви.
quanto-isee = Значення ISEE (євро)
quanto-isee-hint = Ви знайдете його в довідці ISEE; залиште порожнім, якщо її у вас немає.
quanto-household = Кількість осіб у родині
quanto-minors = З них неповнолітніх
quanto-birth = Дата народження особи, яка отримує послугу
quanto-birth-hint = У форматі дд/мм/рррр.
quanto-resident = Має зареєстроване місце проживання в громаді
quanto-resident-since = Зареєстроване місце проживання з
quanto-disability = З підтвердженою інвалідністю або потребою в догляді
quanto-units = Кількість на місяць (години, обіди, дні)
quanto-cost = Вартість послуги на місяць (євро)
quanto-submit = Розрахувати
quanto-result = Результат
quanto-eligible = З цими даними ви мали б право.
quanto-not-eligible = З цими даними ви не мали б права: щонайменше одна умова не виконується.
quanto-requirements = Умови
quanto-amount = Сума
quanto-how = Як розраховується
quanto-rules = Застосовані правила: редакція, чинна з { $date }, { $citation }.
quanto-no-amount = Правила не передбачають суми, яку можна розрахувати з цими даними.
quanto-errors = Перевірте введені дані:
met = виконано
not-met = не виконано
to-check = потребує перевірки

error-title = Щось пішло не так
error-text = Виникла проблема. Спробуйте ще раз; якщо вона повториться, зверніться до приймальні вашої громади.
error-not-found-title = Сторінку не знайдено
error-not-found = Сторінка, яку ви шукаєте, не існує або була переміщена. Перевірте адресу або поверніться на головну сторінку.
error-forbidden-title = Доступ заборонено
error-forbidden = Ви не можете переглядати цю сторінку. Якщо ви вважаєте, що це помилка, зверніться до приймальні вашої громади.
error-bad-request-title = Неправильний запит
error-bad-request = Надіслані дані неправильні: перевірте їх і спробуйте ще раз.
error-later-title = Спробуйте пізніше
error-later = Зараз портал не може відповісти. Спробуйте ще раз за кілька хвилин.
error-internal-title = Внутрішня помилка
error-internal = Сталася помилка. Спробуйте ще раз; якщо проблема повториться, зверніться до приймальні вашої громади.
error-code = Код помилки: { $code }.
error-home = Повернутися на головну сторінку

# The access log: what was opened, and the operator named by role.
opened-person = реєстрова картка
opened-isee = ISEE
opened-application = заява
opened-document = документ
opened-casefile = соціальна справа
opened-assessment = оцінювання
opened-plan = індивідуальний план (PAI)
opened-access = картка звернення до соціального секретаріату
opened-household = сім'я
opened-confidential = конфіденційна частина соціальної справи
opened-other = картка
role-amministratore = Адміністратор
role-responsabile = Керівник служби
role-assistente_sociale = Соціальний працівник
role-operatore_sportello = Оператор приймальні
role-operatore_caf = Оператор CAF
role-ragioneria = Бухгалтерія
role-revisore = Аудитор
role-cittadino = Громадянин
operator-former = Працівник офісу

# Помилки у формах: біля поля і, після назви поля, у списку на початку форми.
field-problem = { $field }: { $problem }
field-required = заповніть це поле
field-choose = оберіть значення зі списку
field-too-long = задовгий текст: найбільша кількість символів — { $max }
field-character = містить недопустимий символ ({ $char }): вилучіть його
field-date = «{ $value }» не є правильною датою: напишіть її у форматі дд/мм/рррр, наприклад 01/03/2015
field-date-span = дата має бути між { $first } і { $last }
field-date-future = дата не може бути в майбутньому
field-amount = «{ $value }» не є правильною сумою: напишіть її в євро, з комою перед центами, наприклад 250,00
field-amount-negative = сума не може бути від'ємною
field-amount-too-large = сума перевищує допустимий максимум ({ $max })
field-whole-number = «{ $value }» не підходить: напишіть ціле число від { $min } до { $max }
field-email = «{ $value }» не є правильною адресою електронної пошти
field-file = оберіть файл, який треба додати
field-file-too-large = файл перевищує найбільший розмір — { $mib } МіБ
field-file-unreadable = PDF не вдається прочитати: він неповний або пошкоджений; спробуйте зберегти його як PDF ще раз
field-file-type = файл не є PDF, зображенням JPEG чи PNG або документом із цифровим підписом (P7M)
field-file-name = назва «{ $name }» не відповідає вмісту файлу ({ $kind }): перейменуйте його або оберіть потрібний файл
field-requirement = обраний документ не належить до тих, що потрібні для цієї послуги
quanto-error-birth = дата народження не може бути пізнішою за дату заяви
quanto-error-minors = неповнолітніх ({ $minors }) не може бути більше, ніж осіб у родині ({ $household })
