package email

import "github.com/sendflow/sendflow/internal/email/mailname"

// polish NEEDS A NATIVE REVIEWER. It was written from the English to prove the mechanism; every
// Polish email says so in its footer until a Polish speaker has checked every string and
// Unreviewed is set to false. See README.md in this folder.
//
// Notes for the reviewer:
//   - Names (the pupil's, the school's, the recipient's) are filled in as they are, in the
//     nominative, so the sentences keep them in the nominative too: as the subject of a verb
//     ("{{.PupilFirstName}} otrzyma"), or after a colon ("w sprawie: {{.PupilFirstName}}"), or
//     after a noun ("w szkole {{.SchoolName}}").
//   - The recipient may be a parent, a carer or a young person aged 16 or over, so the text
//     does not say "Twoje dziecko", and avoids past-tense verbs in the second person (gender).
//   - Dates, times, places, contacts and the Reason of a pause come in as data. The calling code
//     should write them in Polish where it can; the sentences set them off ("Miejsce: ...",
//     "Powód: ...") so they still read well if they arrive in English.
//   - Dates with a weekday ("poniedziałek, 12 stycznia 2027") are set off after a colon
//     ("Termin spotkania: ..."): after a verb a weekday needs "w" and the accusative ("w
//     poniedziałek", "we wtorek", "w środę"), which a filled-in value cannot give.
//   - English terms parents will hear at school or from the council follow the Polish in
//     brackets the first time: (EHC needs assessment), (local council), (SEND Tribunal).
var polish = &locale{
	Tag:        "pl",
	Unreviewed: true,
	Layout: layoutText{
		Greeting:       "Dzień dobry,",
		GreetingName:   "Dzień dobry, {{.RecipientName}},",
		FooterWithLink: "Aby chronić dane osobowe, ten e-mail nie zawiera szczegółów. Znajdziesz je pod linkiem.",
		FooterNoLink:   "Aby chronić dane osobowe, ten e-mail nie zawiera szczegółów.",
		LinkHelp:       "Jeśli link nie działa, skopiuj ten adres do przeglądarki internetowej:",
		RightsHeading:  "Twoje prawa",
		RightsParagraphs: []string{
			"Data tego listu: {{.LetterDate}}.",
			"O tej decyzji możesz porozmawiać z doradcą do spraw mediacji (mediation adviser). " +
				"Kontakt: {{.MediationContact}}.",
			"Zanim złożysz odwołanie, musisz porozmawiać z doradcą do spraw mediacji. " +
				"Nie musisz tego robić, jeśli odwołanie dotyczy tylko szkoły wskazanej w planie.",
			"Możesz złożyć odwołanie do trybunału SEND (SEND Tribunal) do {{.TribunalDeadline}}. " +
				"To 2 miesiące od daty tego listu. " +
				"Jeśli otrzymasz zaświadczenie o mediacji (mediation certificate), masz zamiast tego 1 miesiąc od jego daty, " +
				"jeśli ten termin jest późniejszy.",
			"Bezpłatną i bezstronną poradę otrzymasz w lokalnej służbie SENDIASS " +
				"(SEND Information, Advice and Support Service). Kontakt: {{.SENDIASSContact}}.",
			"Jeśli {{.PupilFirstName}} ma co najmniej 16 lat, te decyzje podejmuje samodzielnie.",
		},
		UnreviewedNote: "Tego tłumaczenia nie sprawdził jeszcze rodzimy użytkownik języka polskiego.",
		ContactLead:    "Kontakt ze szkołą {{.SchoolName}}:",
	},
	Templates: map[string]translation{
		mailname.SignInLink: {
			EnglishVersion: "1",
			Subject:        "Twój link do logowania w sendflow",
			Heading:        "Zaloguj się do sendflow",
			Paragraphs: []string{
				"Otrzymaliśmy prośbę o link do logowania. Po zalogowaniu zobaczysz, jak {{.PupilFirstName}} radzi sobie w szkole {{.SchoolName}}.",
				"Link działa jeden raz. Czas ważności linku: {{.ExpiresIn}}.",
				"Jeśli ta prośba nie pochodzi od Ciebie, możesz zignorować tę wiadomość.",
			},
			Action: "Zaloguj się",
		},

		// Meetings.
		mailname.ReviewMeetingInvitation: {
			EnglishVersion: "1",
			Subject:        "Zaproszenie na przegląd wsparcia: {{.PupilFirstName}}, {{.MeetingDate}}",
			Heading:        "Zaproszenie na spotkanie w sprawie wsparcia: {{.PupilFirstName}}",
			Paragraphs: []string{
				"Zapraszamy Cię na spotkanie w szkole {{.SchoolName}}. Omówimy wsparcie, które otrzymuje {{.PupilFirstName}}.",
				"Termin spotkania: {{.MeetingDate}}, godz. {{.MeetingTime}}. Miejsce: {{.Location}}.",
				"Sprawdzimy, jak działa wsparcie, i wspólnie ustalimy dalsze kroki. Twoje zdanie jest dla nas ważne.",
				"Plik kalendarza dołączony do tego e-maila doda spotkanie do Twojego kalendarza.",
				"Użyj linku, aby dać nam znać, czy możesz przyjść. Przed spotkaniem możesz też podzielić się swoim zdaniem.",
			},
			Action: "Odpowiedz na zaproszenie",
		},
		mailname.MeetingInvitation: {
			EnglishVersion: "1",
			Subject:        "Zaproszenie na spotkanie: {{.PupilFirstName}}, {{.MeetingDate}}",
			Heading:        "Zaproszenie na spotkanie w sprawie: {{.PupilFirstName}}",
			Paragraphs: []string{
				"Zapraszamy Cię na spotkanie w szkole {{.SchoolName}} w sprawie: {{.PupilFirstName}}.",
				"Termin spotkania: {{.MeetingDate}}, godz. {{.MeetingTime}}. Miejsce: {{.Location}}.",
				"Porozmawiamy o tym, jak wszystko idzie i co będzie dalej. Twoje zdanie jest dla nas ważne.",
				"Plik kalendarza dołączony do tego e-maila doda spotkanie do Twojego kalendarza.",
				"Użyj linku, aby dać nam znać, czy możesz przyjść.",
			},
			Action: "Odpowiedz na zaproszenie",
		},
		mailname.MeetingMoved: {
			EnglishVersion: "1",
			Subject:        "Nowy termin spotkania: {{.PupilFirstName}}, {{.MeetingDate}}",
			Heading:        "Spotkanie ma nowy termin",
			Paragraphs: []string{
				"Zmienił się termin spotkania w szkole {{.SchoolName}} w sprawie: {{.PupilFirstName}}.",
				"Nowy termin spotkania: {{.MeetingDate}}, godz. {{.MeetingTime}}. Miejsce: {{.Location}}.",
				"Plik kalendarza dołączony do tego e-maila zmieni termin spotkania w Twoim kalendarzu.",
				"Użyj linku, aby dać nam znać, czy możesz przyjść w nowym terminie.",
			},
			Action: "Odpowiedz na zaproszenie",
		},
		mailname.MeetingCancelled: {
			EnglishVersion: "1",
			Subject:        "Spotkanie odwołane: {{.PupilFirstName}}, {{.MeetingDate}}",
			Heading:        "Spotkanie zostało odwołane",
			Paragraphs: []string{
				"Odwołaliśmy spotkanie w szkole {{.SchoolName}} w sprawie: {{.PupilFirstName}}. Planowany termin: {{.MeetingDate}}.",
				"Plik kalendarza dołączony do tego e-maila usunie spotkanie z Twojego kalendarza.",
				"Szkoła skontaktuje się z Tobą, jeśli potrzebne będzie nowe spotkanie.",
			},
			Action: "Zobacz plan i najbliższe terminy",
		},

		// SEN support in school.
		mailname.SENSupportStarted: {
			EnglishVersion: "1",
			Subject:        "Dodatkowa pomoc w szkole {{.SchoolName}}: {{.PupilFirstName}}",
			Heading:        "{{.PupilFirstName}} otrzyma dodatkową pomoc",
			Paragraphs: []string{
				"{{.PupilFirstName}} otrzyma dodatkową pomoc w szkole {{.SchoolName}}. Taka pomoc nazywa się „SEN support”.",
				"Razem z Tobą ustalimy plan. Plan określi, jaką pomoc zapewnimy i kiedy sprawdzimy, jak ona działa.",
				"Będziemy wspólnie omawiać plan. Zaprosimy Cię na każde takie spotkanie. " +
					"Ważne jest Twoje zdanie. Ważne jest też, co myśli {{.PupilFirstName}}.",
			},
			Action: "Zobacz plan",
		},
		mailname.ReviewInvitation: {
			EnglishVersion: "2",
			Subject:        "Twoje zdanie przed przeglądem wsparcia: {{.PupilFirstName}}, {{.ReviewDate}}",
			Heading:        "Zbliża się przegląd wsparcia: {{.PupilFirstName}}",
			Paragraphs: []string{
				"Planujemy przegląd wsparcia w szkole {{.SchoolName}}. Planowana data: {{.ReviewDate}}. " +
					"Omówimy wsparcie, które otrzymuje {{.PupilFirstName}}.",
				"Sprawdzimy, jak działa wsparcie, i razem z Tobą ustalimy dalsze kroki. Twoje zdanie jest dla nas ważne.",
				"Godzinę i miejsce podamy osobno. Wcześniej napisz nam przez link, co idzie dobrze, co jest trudne i co by pomogło.",
			},
			Action: "Podziel się swoim zdaniem",
		},
		mailname.ReviewReminderParent: {
			EnglishVersion: "2",
			Subject:        "Przypomnienie o przeglądzie wsparcia: {{.PupilFirstName}}, {{.ReviewDate}}",
			Heading:        "Przegląd wsparcia: {{.ReviewDate}}",
			Paragraphs: []string{
				"Przypominamy: {{.ReviewDate}} w szkole {{.SchoolName}} planujemy przegląd wsparcia, które otrzymuje {{.PupilFirstName}}.",
				"Twoje zdanie jest dla nas ważne. Nadal możesz się nim podzielić przez link. Jeśli ten termin Ci nie pasuje, skontaktuj się ze szkołą.",
			},
			Action: "Podziel się swoim zdaniem",
		},
		mailname.ReviewOutcome: {
			EnglishVersion: "1",
			Subject:        "Zapisaliśmy ustalenia z przeglądu wsparcia: {{.PupilFirstName}}",
			Heading:        "Co ustalono podczas przeglądu",
			Paragraphs: []string{
				"Zapisaliśmy ustalenia z przeglądu wsparcia w szkole {{.SchoolName}} z dnia {{.ReviewDate}}. " +
					"Dotyczą wsparcia, które otrzymuje {{.PupilFirstName}}.",
				"Pod linkiem zobaczysz, co ustalono. Jeśli coś się nie zgadza, daj nam znać.",
			},
			Action: "Zobacz, co ustalono",
		},

		// Consent and advice from a specialist.
		mailname.ConsentRequest: {
			EnglishVersion: "1",
			Subject:        "Prosimy o Twoją zgodę: {{.PupilFirstName}}",
			Heading:        "Czy możemy poprosić specjalistę o radę?",
			Paragraphs: []string{
				"Chcemy poprosić specjalistów o radę. Dzięki niej {{.PupilFirstName}} może otrzymać lepszą pomoc w szkole {{.SchoolName}}.",
				"Najpierw potrzebujemy Twojej zgody. Bez niej nic nie zostanie wysłane.",
				"Pod linkiem zobaczysz, kogo chcemy zapytać, jakie informacje przekażemy i dlaczego. Tam możesz się zgodzić albo odmówić.",
				"Jeśli się zgodzisz, możesz wycofać zgodę w każdej chwili.",
			},
			Action: "Przeczytaj i odpowiedz",
		},
		mailname.ConsentReminder: {
			EnglishVersion: "1",
			Subject:        "Przypomnienie: prosimy o odpowiedź do {{.ExpiresOn}} w sprawie: {{.PupilFirstName}}",
			Heading:        "Nadal czekamy na Twoją odpowiedź",
			Paragraphs: []string{
				"Poprosiliśmy Cię o zgodę. Chcemy zapytać specjalistów o radę w sprawie: {{.PupilFirstName}}.",
				"Prosimy o odpowiedź do {{.ExpiresOn}}. Jeśli się nie odezwiesz, prośba wygaśnie i nic nie zostanie wysłane.",
				"Wybór należy do Ciebie. Możesz się zgodzić albo odmówić. Jeśli się zgodzisz, możesz wycofać zgodę w każdej chwili.",
			},
			Action: "Przeczytaj i odpowiedz",
		},
		mailname.AdviceReceivedParent: {
			EnglishVersion: "2",
			Subject:        "Przyszły zalecenia specjalisty: {{.PupilFirstName}}",
			Heading:        "Przyszły zalecenia od specjalisty",
			Paragraphs: []string{
				"Do szkoły {{.SchoolName}} przyszły zalecenia od specjalisty w sprawie: {{.PupilFirstName}}.",
				"Omówimy je z Tobą i razem ustalimy dalsze kroki. Skontaktujemy się z Tobą, aby umówić termin.",
			},
			Action: "Zobacz plan i najbliższe terminy",
		},

		// EHC needs assessment and plan.
		mailname.EHCRequestReceived: {
			EnglishVersion: "2",
			Subject:        "Wniosek o ocenę potrzeb EHC: {{.PupilFirstName}}",
			Heading:        "Wniosek o ocenę potrzeb EHC",
			Paragraphs: []string{
				"Złożono wniosek o ocenę potrzeb edukacyjnych, zdrowotnych i opiekuńczych (EHC needs assessment). " +
					"Wniosek dotyczy: {{.PupilFirstName}}.",
				"Samorząd (local council) musi do {{.DecisionDue}} zdecydować, czy przeprowadzi ocenę. Poinformujemy Cię, co postanowi.",
				"Samorząd zapyta o Twoje zdanie i o to, co myśli {{.PupilFirstName}}. Pod linkiem zobaczysz, na jakim etapie jest wniosek, i ważne terminy.",
			},
			Action: "Zobacz, na jakim etapie jest sprawa",
		},
		mailname.EHCWillAssess: {
			EnglishVersion: "1",
			Subject:        "Samorząd przeprowadzi ocenę potrzeb EHC: {{.PupilFirstName}}",
			Heading:        "Samorząd przeprowadzi ocenę",
			Paragraphs: []string{
				"Samorząd (local council) zgodził się przeprowadzić ocenę potrzeb EHC (EHC needs assessment). " +
					"Ocena dotyczy: {{.PupilFirstName}}.",
				"Samorząd poprosi specjalistów o opinie. Zapyta też o Twoje zdanie i o to, co myśli {{.PupilFirstName}}.",
				"Jeśli plan będzie potrzebny, ostateczny plan musi zostać wydany do {{.FinalPlanDue}}. Będziemy Cię informować na bieżąco.",
			},
			Action: "Zobacz, co dalej",
		},
		mailname.EHCRefusedToAssess: {
			EnglishVersion: "2",
			Subject:        "Decyzja w sprawie oceny potrzeb EHC: {{.PupilFirstName}}",
			Heading:        "Decyzja samorządu w sprawie oceny",
			Paragraphs: []string{
				"Samorząd (local council) zdecydował, że nie przeprowadzi oceny potrzeb EHC (EHC needs assessment). " +
					"Decyzja dotyczy: {{.PupilFirstName}}.",
				"Samorząd przyśle Ci list z uzasadnieniem. {{.PupilFirstName}} nadal będzie otrzymywać wsparcie w szkole {{.SchoolName}}. " +
					"Szkoła porozmawia z Tobą o dalszych krokach.",
				"Możesz się nie zgodzić z tą decyzją. Twoje prawa opisujemy poniżej.",
			},
			Action: "Zobacz, na jakim etapie jest sprawa",
		},
		mailname.EHCClockPaused: {
			EnglishVersion: "2",
			Subject:        "Terminy EHC są wstrzymane: {{.PupilFirstName}}",
			Heading:        "Terminy są wstrzymane",
			Paragraphs: []string{
				"Wstrzymano terminy oceny potrzeb EHC w sprawie: {{.PupilFirstName}}. Początek przerwy: {{.PausedFrom}}. Powód: {{.Reason}}.",
				"Prawo pozwala na to tylko w kilku określonych sytuacjach. Powiadomimy Cię, gdy terminy znów zaczną biec.",
				"Liczymy pełne dni według czasu w Wielkiej Brytanii. Dzień początku przerwy liczy się do przerwy. " +
					"Dzień, w którym terminy znów zaczną biec, już się nie liczy.",
			},
			Action: "Zobacz terminy",
		},
		mailname.EHCClockResumed: {
			EnglishVersion: "2",
			Subject:        "Terminy EHC znów biegną: {{.PupilFirstName}}",
			Heading:        "Terminy znów biegną",
			Paragraphs: []string{
				"Znów biegną terminy oceny potrzeb EHC w sprawie: {{.PupilFirstName}}. " +
					"Początek przerwy: {{.PausedFrom}}. Terminy biegną znowu od: {{.ResumedOn}}.",
				"Liczba dni dodanych do terminów: {{.PausedDays}}. Liczymy pełne dni według czasu w Wielkiej Brytanii. " +
					"Dzień początku przerwy liczy się do przerwy. Dzień, w którym terminy znów zaczęły biec, już się nie liczy.",
				"Jeśli plan będzie potrzebny, ostateczny plan musi teraz zostać wydany do {{.FinalPlanDue}}.",
			},
			Action: "Zobacz terminy",
		},
		mailname.EHCDraftIssued: {
			EnglishVersion: "2",
			Subject:        "Projekt planu EHC: {{.PupilFirstName}}, uwagi do {{.CommentsBy}}",
			Heading:        "Projekt planu EHC jest gotowy",
			Paragraphs: []string{
				"Projekt planu EHC (draft EHC plan) jest gotowy. Plan dotyczy: {{.PupilFirstName}}. Samorząd przyśle Ci go.",
				"Swoje uwagi możesz przekazać do {{.CommentsBy}}. Możesz też poprosić o spotkanie z samorządem w tej sprawie.",
				"Do tego samego dnia napisz samorządowi, do jakiej szkoły lub placówki ma według Ciebie chodzić {{.PupilFirstName}}.",
			},
			Action: "Zobacz terminy",
		},
		mailname.EHCNotIssuing: {
			EnglishVersion: "2",
			Subject:        "Decyzja w sprawie planu EHC: {{.PupilFirstName}}",
			Heading:        "Decyzja samorządu w sprawie planu",
			Paragraphs: []string{
				"Samorząd (local council) zakończył ocenę potrzeb EHC w sprawie: {{.PupilFirstName}}. " +
					"Zdecydował, że nie wyda planu EHC (EHC plan).",
				"Samorząd przyśle Ci list z uzasadnieniem. {{.PupilFirstName}} nadal będzie otrzymywać wsparcie w szkole {{.SchoolName}}. " +
					"Szkoła porozmawia z Tobą o dalszych krokach.",
				"Możesz się nie zgodzić z tą decyzją. Twoje prawa opisujemy poniżej.",
			},
			Action: "Zobacz, na jakim etapie jest sprawa",
		},
		mailname.EHCPlanIssued: {
			EnglishVersion: "2",
			Subject:        "Wydano ostateczny plan EHC: {{.PupilFirstName}}",
			Heading:        "Wydano ostateczny plan EHC",
			Paragraphs: []string{
				"Samorząd (local council) wydał ostateczny plan EHC (final EHC plan) w sprawie: {{.PupilFirstName}}.",
				"Samorząd przyśle Ci plan. Przeczytaj go uważnie. " +
					"Plan określa, jaką pomoc otrzyma {{.PupilFirstName}}. Wskazuje też szkołę lub placówkę.",
				"Jeśli nie zgadzasz się z treścią planu albo ze wskazaną szkołą lub placówką, możesz złożyć odwołanie. " +
					"Twoje prawa opisujemy poniżej.",
			},
			Action: "Zobacz, co dalej",
		},
		mailname.AnnualReviewInvitation: {
			EnglishVersion: "2",
			Subject:        "Zaproszenie na coroczny przegląd planu EHC: {{.PupilFirstName}}, {{.MeetingDate}}",
			Heading:        "Zaproszenie na coroczny przegląd planu: {{.PupilFirstName}}",
			Paragraphs: []string{
				"Zapraszamy Cię na coroczny przegląd planu EHC (annual review) w sprawie: {{.PupilFirstName}}. " +
					"Termin przeglądu: {{.MeetingDate}}. Miejsce: szkoła {{.SchoolName}}.",
				"Razem przejrzymy plan i ustalimy, czy trzeba go zmienić. " +
					"Ważne jest Twoje zdanie. Ważne jest też, co myśli {{.PupilFirstName}}.",
				"Opinie specjalistów na to spotkanie otrzymasz co najmniej 2 tygodnie przed nim. Jeśli nie możesz przyjść w tym dniu, skontaktuj się ze szkołą.",
			},
			Action: "Zobacz plan i najbliższe terminy",
		},
		mailname.AnnualReviewDecision: {
			EnglishVersion: "2",
			Subject:        "Decyzja po corocznym przeglądzie planu EHC: {{.PupilFirstName}}",
			Heading:        "Decyzja samorządu po corocznym przeglądzie",
			Paragraphs: []string{
				"Samorząd (local council) podjął decyzję po corocznym przeglądzie planu EHC w sprawie: {{.PupilFirstName}}.",
				"Samorząd przyśle Ci list z decyzją i jej uzasadnieniem.",
				"Jeśli się nie zgadzasz, możesz złożyć odwołanie. Twoje prawa opisujemy poniżej.",
			},
			Action: "Zobacz, co dalej",
		},
	},
}
