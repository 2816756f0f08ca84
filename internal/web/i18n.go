package web

import (
	"fmt"
	"strings"
	"time"
	_ "time/tzdata" // Europe/London on machines without a tz database (distroless)
)

// Locales the pages are written in. English is the source; every other locale must have every
// key (a test checks it). Polish is a first translation that NEEDS A NATIVE REVIEWER before it
// is used with families: see README.md in this folder.
var locales = map[string]*locale{
	"en": {Tag: "en", msgs: english, months: englishMonths, days: englishDays, dateFormat: "{weekday} {day} {month} {year}"},
	"pl": {Tag: "pl", msgs: polish, months: polishMonths, days: polishDays, dateFormat: "{weekday}, {day} {month} {year}", Unreviewed: true},
}

// locale is one language of the pages.
type locale struct {
	Tag string
	// Unreviewed marks a translation not yet checked by a native speaker.
	Unreviewed bool
	msgs       map[string]string
	months     [12]string
	days       [7]string
	dateFormat string
}

// localeFor picks the locale for a parent's preferred language ("pl", "pl-PL", "PL"); English
// when the language is not one sendflow has.
func localeFor(pref string) *locale {
	base, _, _ := strings.Cut(strings.ToLower(strings.TrimSpace(pref)), "-")
	base, _, _ = strings.Cut(base, "_")
	if l, ok := locales[base]; ok {
		return l
	}
	return locales["en"]
}

// localeFromHeader picks a locale from Accept-Language, for pages shown before we know who the
// parent is (a link that is not valid).
func localeFromHeader(h string) *locale {
	for _, part := range strings.Split(h, ",") {
		tag, _, _ := strings.Cut(strings.TrimSpace(part), ";")
		base, _, _ := strings.Cut(strings.ToLower(tag), "-")
		if l, ok := locales[base]; ok {
			return l
		}
	}
	return locales["en"]
}

// T translates a key, filling its %s/%d verbs with args. A missing key shows the English text,
// so a page never shows a blank.
func (l *locale) T(key string, args ...any) string {
	msg, ok := l.msgs[key]
	if !ok {
		msg, ok = english[key]
		if !ok {
			return key
		}
	}
	if len(args) == 0 {
		return msg
	}
	return fmt.Sprintf(msg, args...)
}

var london = func() *time.Location {
	loc, err := time.LoadLocation("Europe/London")
	if err != nil {
		panic(err) // time/tzdata is embedded
	}
	return loc
}()

// Date writes a day in words ("Tuesday 12 January 2027"); an instant is taken in UK time.
func (l *locale) Date(t time.Time) string {
	t = t.In(london)
	return l.dateWords(t)
}

// CalendarDate writes a calendar date kept as midnight UTC (review dates) in words.
func (l *locale) CalendarDate(t time.Time) string { return l.dateWords(t.UTC()) }

// ShortDate writes a day without its weekday ("30 November 2026"), for dates inside a sentence
// (a weekday would need its own grammatical case in some languages).
func (l *locale) ShortDate(t time.Time) string { return l.shortWords(t.In(london)) }

// ShortCalendarDate is ShortDate for a calendar date kept as midnight UTC.
func (l *locale) ShortCalendarDate(t time.Time) string { return l.shortWords(t.UTC()) }

func (l *locale) shortWords(t time.Time) string {
	return fmt.Sprintf("%d %s %d", t.Day(), l.months[t.Month()-1], t.Year())
}

func (l *locale) dateWords(t time.Time) string {
	return strings.NewReplacer(
		"{weekday}", l.days[t.Weekday()], "{day}", fmt.Sprint(t.Day()),
		"{month}", l.months[t.Month()-1], "{year}", fmt.Sprint(t.Year()),
	).Replace(l.dateFormat)
}

// Clock writes a time of day in UK time on the 24-hour clock ("10:30").
func (l *locale) Clock(t time.Time) string { return t.In(london).Format("15:04") }

var (
	englishMonths = [12]string{"January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"}
	englishDays   = [7]string{"Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"}
	// Months in the genitive, as Polish dates write them ("12 stycznia 2027").
	polishMonths = [12]string{"stycznia", "lutego", "marca", "kwietnia", "maja", "czerwca", "lipca", "sierpnia", "września", "października", "listopada", "grudnia"}
	polishDays   = [7]string{"niedziela", "poniedziałek", "wtorek", "środa", "czwartek", "piątek", "sobota"}
)

// english is the source text of every page: short sentences, plain words, no jargon.
var english = map[string]string{
	"site":             "sendflow",
	"footer":           "This page is private to you. Please do not share the link.",
	"footer_questions": "If you have a question, contact %s.",
	"contact_heading":  "Contact %s",
	"contact_phone":    "Phone:",
	"contact_email":    "Email:",
	"nothing_changed":  "Nothing has been changed.",
	"what_to_do":       "What you can do",
	"ask_new_link":     "Ask the school for a new link.",
	"unreviewed":       "",

	"invalid_title":     "This link does not work",
	"invalid_body":      "The link is not complete, or it has been changed.",
	"invalid_hint":      "Ask the school for a new link. If you copied the link from the email, check you copied all of it.",
	"not_yours_body":    "This link is not for you, or you are no longer listed as a parent or carer.",
	"expired_title":     "This link has expired",
	"expired_body":      "Links in our emails only work for a limited time. This one ended on %s.",
	"used_title":        "This link has already been used",
	"used_body":         "Each link can only be used once. Your first answer has been kept.",
	"used_hint":         "If you want to change your answer, please contact the school.",
	"replaced_title":    "This invitation has been replaced",
	"replaced_body":     "The meeting has a new time. Please use the link in the newest email about it.",
	"cancelled_title":   "This meeting has been cancelled",
	"cancelled_body":    "The school will contact you if a new meeting is needed.",
	"refused_title":     "We could not do this",
	"refused_body":      "The school's system said:",
	"refused_hint":      "Please contact the school about it.",
	"unavailable_title": "Please try again soon",
	"unavailable_body":  "We cannot save your answer just now.",
	"unavailable_hint":  "Please try again in a few minutes. The link will still work.",
	"busy_title":        "Your answer is being saved",
	"busy_body":         "This link was used a moment ago and the answer is still being saved.",
	"busy_hint":         "Please wait a minute, then open the link again to see whether it was saved.",
	"notfound_title":    "Page not found",
	"notfound_body":     "There is no page at this address.",
	"notfound_hint":     "Check the link in the email, or ask the school for a new one.",
	"bad_form_title":    "Something went wrong",
	"bad_form_body":     "We did not understand the answer that was sent.",
	"bad_form_hint":     "Please go back, and choose one of the buttons.",

	"meeting_title_review":        "%s's review meeting",
	"meeting_title_expectation":   "A meeting about %s",
	"meeting_title_annual_review": "%s's annual review meeting",
	"calendar_title":              "%s at %s",
	"calendar_answer":             "Please use the link in the email from %s to say if you can come.",
	"calendar_cancelled":          "This meeting has been cancelled.",
	"calendar_reminder":           "Reminder: %s",
	"meeting_intro":               "You are invited to this meeting at %s.",
	"when":                        "When",
	"where":                       "Where",
	"meeting_time":                "%s, %s to %s",
	"meeting_question":            "Can you come?",
	"answer_accepted":             "Yes, I can come",
	"answer_declined":             "No, I cannot come",
	"answer_another_time":         "Please suggest another time",
	"answer_once":                 "You can answer once with this link. If your plans change, please contact the school.",
	"views_offer":                 "Before the meeting, you can tell us what is going well, what is hard and what would help.",
	"your_answer":                 "Your answer",
	"answered_unknown":            "You have answered this invitation.",
	"answered_on":                 "(%s)",
	"change_answer":               "Change your answer",
	"meeting_passed":              "The meeting has taken place. If you need to talk to the school, please contact them.",
	"answer_change_later":         "You can come back to this page to change your answer while the meeting is ahead.",
	"views_link":                  "Give your views",
	"thanks_title":                "Thank you",
	"done_accepted":               "We have told the school that you can come.",
	"done_declined":               "We have told the school that you cannot come. They will contact you.",
	"done_another_time":           "We have asked the school to suggest another time. They will contact you.",

	"views_title":            "Your views before %s's review",
	"views_intro":            "Please tell us in your own words. Write as much or as little as you like. The school will read it before the review.",
	"views_going_well":       "What is going well?",
	"views_hard":             "What is hard?",
	"views_help":             "What would help?",
	"views_hint":             "Leave a box empty if you have nothing to add.",
	"views_send":             "Send my views",
	"views_error_title":      "There is a problem",
	"views_empty":            "Please write something in at least one box.",
	"views_too_long":         "Please keep each box under %d characters.",
	"views_done":             "The school will read your views before the review.",
	"views_closed_title":     "The review has taken place",
	"views_closed":           "The review of %s's support has taken place, so this form is closed.",
	"views_closed_on":        "The review of %s's support took place on %s, so this form is closed.",
	"views_kept_title":       "What you wrote",
	"views_kept":             "It has not been sent. You can copy it and send it to the school.",
	"views_share_more_title": "To share more",
	"views_share_more":       "Your views still matter. You can contact %s at any time, or share them at the next review.",
	"see_what_was_agreed":    "See what was agreed at the review",

	"consent_title":   "Consent for a referral for %s",
	"consent_intro":   "%s would like to ask a specialist service for advice about how to help %s.",
	"consent_service": "The service",
	"consent_wording": "What you are asked to agree to",
	"consent_version": "Wording version: %s",
	"consent_reason":  "Why the school is asking",
	"consent_no_translation": "There is no approved wording in your language for this consent yet. " +
		"The words below are in English: they are exactly what you would agree to.",
	"consent_help":         "If you would like help to understand them before you answer, contact %s:",
	"consent_help_school":  "If you would like help to understand them before you answer, please contact %s.",
	"consent_help_subject": "Help with the consent for %s",
	"consent_question":     "Your answer",
	"consent_give":         "I give consent",
	"consent_refuse":       "I do not give consent",
	"consent_choice":       "It is your choice. If you give consent, you can withdraw it at any time by contacting the school.",
	"consent_changed":      "The wording has changed since you opened this page. Please read it again before you answer.",
	"done_consent_give":    "You have given consent. The school has been told.",
	"done_consent_refuse": "You have not given consent. Nothing will be sent to the service. " +
		"The school has been told.",

	"plan_title":      "%s's support plan",
	"plan_none":       "There is no support plan yet. The school will invite you to agree one together.",
	"plan_aims":       "What the support aims to achieve",
	"plan_support":    "The support %s gets",
	"plan_no_support": "No support is listed yet.",
	"plan_review_on":  "The plan will be reviewed with you on %s.",
	"plan_reviewed":   "This plan has been reviewed.",
	"plan_review_was": "The review was planned for %s. The school will tell you when it has been held.",

	"deadline_decision_to_assess":  "The council decides whether to carry out the assessment",
	"deadline_advice":              "Professionals give their advice",
	"deadline_notice_not_to_issue": "If no plan will be issued, the council tells you",
	"deadline_draft_comments":      "Your comments on the draft plan",
	"deadline_final_plan":          "The final EHC plan",
	"deadline_annual_review_due":   "The annual review meeting",
	"deadline_report_due":          "The school sends the review report to the council",
	"deadline_la_decision_due":     "The council decides after the annual review",
	"deadline_amended_plan_due":    "The amended EHC plan",

	"step_ehcna_requested":           "A request was made for an EHC needs assessment.",
	"step_decided_to_assess":         "The council decided to carry out the assessment.",
	"step_refused_to_assess":         "The council decided not to carry out the assessment.",
	"step_advice_requested":          "The council asked professionals for advice.",
	"step_advice_received":           "Advice from professionals arrived.",
	"step_clock_paused":              "The time limits were paused.",
	"step_clock_resumed":             "The time limits started again.",
	"step_draft_issued":              "The draft EHC plan was issued.",
	"step_not_issuing":               "The council decided not to issue an EHC plan.",
	"step_final_plan_issued":         "The final EHC plan was issued.",
	"step_annual_review_invitations": "Invitations to the annual review were sent.",
	"step_annual_review_booked":      "The annual review meeting was booked.",
	"step_annual_review_held":        "The annual review meeting was held.",
	"step_annual_review_report_sent": "The school sent the review report to the council.",
	"step_annual_review_decided":     "The council made its decision after the annual review.",
	"step_amended_plan_issued":       "The amended EHC plan was issued.",
	"step_annual_review_done":        "The annual review is complete.",
	"step_ehc_plan_ceased":           "The EHC plan has ended. The school keeps supporting your child.",
	"last_review":                    "The last review",
	"last_review_on":                 "Plan %d was reviewed on %s.",
	"rating_achieved":                "achieved",
	"rating_partly_achieved":         "partly achieved",
	"rating_not_achieved":            "not yet achieved",
	"rating_none":                    "not rated",
	"agreed":                         "What was agreed:",
	"next_continue":                  "keep going with extra help, and agree the next plan together.",
	"next_step_down":                 "%s no longer needs the extra help. The school will keep an eye on how things go.",
	"next_refer":                     "ask a specialist for advice. The school will ask for your consent first.",
	"next_request_ehcna":             "ask the local council for an education, health and care (EHC) needs assessment.",
	"next_dates":                     "Next dates",
	"ehc_heading":                    "EHC needs assessment and plan",
	"minutes":                        "%d minutes",
	"time_limit":                     "%s — by %s",
	"no_dates":                       "No dates are booked yet.",
	"date_review":                    "Review of the plan",
	"link_until":                     "This link works until %s.",

	"signin_title":        "Sign in to sendflow",
	"signin_intro":        "Press the button to sign in. The link works once.",
	"signin_button":       "Sign in",
	"signed_in_plan":      "See %s's plan and next dates",
	"signed_in_none":      "No children are listed for you. Please contact the school.",
	"signin_failed_title": "This sign-in link does not work",
	"signin_failed_body":  "It has been used, or it has expired.",
	"signin_failed_hint":  "Ask for a new sign-in link. Each one works once, for 15 minutes.",

	"home_title":            "See how your child is getting on",
	"home_title_signed_in":  "Your children",
	"home_intro":            "Enter the email address the school has for you. We will email you a link to sign in. It works once, for 15 minutes.",
	"email_label":           "Your email address",
	"email_hint":            "For example, name@example.com",
	"email_invalid":         "Enter your email address, like name@example.com",
	"send_link_button":      "Email me a sign-in link",
	"link_on_its_way":       "If this email address belongs to a parent or carer known to a school, a sign-in link is on its way. It works once, for 15 minutes.",
	"link_check_inbox":      "Check your email, including any junk or spam folder. If nothing comes, please contact the school.",
	"home_expired":          "Your sign-in has ended. Enter your email address to get a new link.",
	"home_until":            "For your privacy, this page works for 2 hours. After that, sign in again at this address.",
	"new_link_title":        "A new link is on its way",
	"new_link_sent":         "We have emailed you a new link. It works once, for 15 minutes, and opens a page with everything about your child.",
	"new_link_button":       "Email me a new link",
	"new_link_or":           "You can also sign in with your email address at",
	"expired_hint":          "We can email you a new link. It opens a page with everything about your child.",
	"language_name":         "English",
	"language_heading":      "Language",
	"language_label":        "The language of our emails and pages",
	"language_button":       "Change language",
	"child_school":          "School",
	"child_stage":           "Where things are",
	"child_asks":            "What the school has asked you",
	"child_meetings":        "Meetings",
	"no_asks":               "Nothing at the moment.",
	"no_meetings":           "No meetings are booked.",
	"ask_consent":           "The school would like your consent to ask a specialist for advice about %s.",
	"ask_views":             "Tell the school your views before %s's next review.",
	"ask_meeting":           "Please say if you can come: %s.",
	"meeting_answer_link":   "Say if you can come",
	"meeting_change_link":   "See the meeting or change your answer",
	"answered_accepted":     "You told the school: Yes, I can come.",
	"answered_declined":     "You told the school: No, I cannot come.",
	"answered_another_time": "You asked the school for another time.",
	"stage_none":            "The school has not raised any concern.",
	"stage_monitoring":      "The class teacher is trying extra ideas in class and watching how things go.",
	"stage_awaiting_triage": "The school's special needs coordinator (SENDCo) is looking at how best to help.",
	"stage_sen_support":     "SEN support: extra help at school, with a plan agreed with you.",
	"stage_ehc_assessment":  "An education, health and care (EHC) needs assessment is under way.",
	"stage_ehc_plan":        "An education, health and care (EHC) plan is in place.",
	"stage_closed":          "The school's extra help has ended.",
}

// polish NEEDS A NATIVE REVIEWER. It was written from the English to prove the mechanism;
// do not rely on it with families until a Polish speaker has checked every string.
var polish = map[string]string{
	"site":             "sendflow",
	"footer":           "Ta strona jest tylko dla Ciebie. Prosimy nie udostępniać tego linku.",
	"footer_questions": "Jeśli masz pytanie, skontaktuj się z: %s.",
	"contact_heading":  "Kontakt ze szkołą %s",
	"contact_phone":    "Telefon:",
	"contact_email":    "E-mail:",
	"nothing_changed":  "Nic nie zostało zmienione.",
	"what_to_do":       "Co możesz zrobić",
	"ask_new_link":     "Poproś szkołę o nowy link.",
	"unreviewed":       "Tłumaczenie tej strony czeka na sprawdzenie.",

	"invalid_title":     "Ten link nie działa",
	"invalid_body":      "Link jest niepełny albo został zmieniony.",
	"invalid_hint":      "Poproś szkołę o nowy link. Jeśli link był kopiowany z e-maila, sprawdź, czy skopiowano go w całości.",
	"not_yours_body":    "Ten link nie jest dla Ciebie albo nie jesteś już wpisany jako rodzic lub opiekun.",
	"expired_title":     "Ten link wygasł",
	"expired_body":      "Linki w naszych e-mailach działają tylko przez pewien czas. Ten przestał działać %s.",
	"used_title":        "Ten link został już użyty",
	"used_body":         "Każdego linku można użyć tylko raz. Twoja pierwsza odpowiedź została zapisana.",
	"used_hint":         "Jeśli chcesz zmienić odpowiedź, skontaktuj się ze szkołą.",
	"replaced_title":    "To zaproszenie zostało zastąpione",
	"replaced_body":     "Spotkanie ma nowy termin. Użyj linku z najnowszego e-maila w tej sprawie.",
	"cancelled_title":   "To spotkanie zostało odwołane",
	"cancelled_body":    "Szkoła skontaktuje się z Tobą, jeśli potrzebne będzie nowe spotkanie.",
	"refused_title":     "Nie udało się tego zrobić",
	"refused_body":      "System szkoły odpowiedział (po angielsku):",
	"refused_hint":      "Skontaktuj się w tej sprawie ze szkołą.",
	"unavailable_title": "Spróbuj ponownie za chwilę",
	"unavailable_body":  "Nie możemy teraz zapisać Twojej odpowiedzi.",
	"unavailable_hint":  "Spróbuj ponownie za kilka minut. Link nadal będzie działał.",
	"busy_title":        "Twoja odpowiedź jest zapisywana",
	"busy_body":         "Ten link został użyty przed chwilą, a odpowiedź jest jeszcze zapisywana.",
	"busy_hint":         "Poczekaj minutę, a potem otwórz link ponownie, aby sprawdzić, czy odpowiedź została zapisana.",
	"notfound_title":    "Nie znaleziono strony",
	"notfound_body":     "Pod tym adresem nie ma strony.",
	"notfound_hint":     "Sprawdź link w e-mailu albo poproś szkołę o nowy.",
	"bad_form_title":    "Coś poszło nie tak",
	"bad_form_body":     "Nie rozumiemy wysłanej odpowiedzi.",
	"bad_form_hint":     "Wróć i wybierz jeden z przycisków.",

	"meeting_title_review":        "Spotkanie w sprawie przeglądu wsparcia: %s",
	"meeting_title_expectation":   "Spotkanie w sprawie: %s",
	"meeting_title_annual_review": "Coroczny przegląd planu: %s",
	"calendar_title":              "%s (szkoła %s)",
	"calendar_answer":             "Użyj linku z e-maila od szkoły %s, aby odpowiedzieć, czy możesz przyjść.",
	"calendar_cancelled":          "To spotkanie zostało odwołane.",
	"calendar_reminder":           "Przypomnienie: %s",
	"meeting_intro":               "Zapraszamy na to spotkanie w %s.",
	"when":                        "Kiedy",
	"where":                       "Gdzie",
	"meeting_time":                "%s, od %s do %s",
	"meeting_question":            "Czy możesz przyjść?",
	"answer_accepted":             "Tak, przyjdę",
	"answer_declined":             "Nie, nie mogę przyjść",
	"answer_another_time":         "Proszę o inny termin",
	"answer_once":                 "Tym linkiem możesz odpowiedzieć raz. Jeśli Twoje plany się zmienią, skontaktuj się ze szkołą.",
	"views_offer":                 "Przed spotkaniem możesz nam napisać, co idzie dobrze, co jest trudne i co by pomogło.",
	"your_answer":                 "Twoja odpowiedź",
	"answered_unknown":            "Odpowiedź na to zaproszenie została już udzielona.",
	"answered_on":                 "(%s)",
	"change_answer":               "Zmień odpowiedź",
	"meeting_passed":              "Spotkanie już się odbyło. Jeśli chcesz porozmawiać ze szkołą, skontaktuj się z nią.",
	"answer_change_later":         "Do czasu spotkania możesz wrócić na tę stronę i zmienić odpowiedź.",
	"views_link":                  "Podziel się swoim zdaniem",
	"thanks_title":                "Dziękujemy",
	"done_accepted":               "Przekazaliśmy szkole, że przyjdziesz.",
	"done_declined":               "Przekazaliśmy szkole, że nie możesz przyjść. Szkoła skontaktuje się z Tobą.",
	"done_another_time":           "Poprosiliśmy szkołę o zaproponowanie innego terminu. Szkoła skontaktuje się z Tobą.",

	"views_title":            "Twoje zdanie przed przeglądem: %s",
	"views_intro":            "Napisz własnymi słowami, tyle, ile chcesz. Szkoła przeczyta to przed przeglądem.",
	"views_going_well":       "Co idzie dobrze?",
	"views_hard":             "Co jest trudne?",
	"views_help":             "Co by pomogło?",
	"views_hint":             "Zostaw pole puste, jeśli nie masz nic do dodania.",
	"views_send":             "Wyślij",
	"views_error_title":      "Wystąpił problem",
	"views_empty":            "Napisz coś w co najmniej jednym polu.",
	"views_too_long":         "W każdym polu można wpisać najwyżej %d znaków.",
	"views_done":             "Szkoła przeczyta Twoje zdanie przed przeglądem.",
	"views_closed_title":     "Przegląd już się odbył",
	"views_closed":           "Przegląd wsparcia już się odbył (w sprawie: %s), więc ten formularz jest zamknięty.",
	"views_closed_on":        "Przegląd wsparcia (w sprawie: %s) odbył się %s, więc ten formularz jest zamknięty.",
	"views_kept_title":       "Co napisano",
	"views_kept":             "Ten tekst nie został wysłany. Możesz go skopiować i wysłać do szkoły.",
	"views_share_more_title": "Jak przekazać więcej",
	"views_share_more":       "Twoje zdanie nadal jest ważne. W każdej chwili możesz skontaktować się ze szkołą %s albo podzielić się nim przy następnym przeglądzie.",
	"see_what_was_agreed":    "Zobacz, co ustalono podczas przeglądu",

	"consent_title":   "Zgoda na skierowanie: %s",
	"consent_intro":   "%s chce poprosić specjalistów o radę, jak pomóc dziecku: %s.",
	"consent_service": "Specjaliści",
	"consent_wording": "Na co prosimy o zgodę",
	"consent_version": "Wersja treści: %s",
	"consent_reason":  "Dlaczego szkoła o to prosi",
	"consent_no_translation": "Ta zgoda nie ma jeszcze zatwierdzonej polskiej wersji. " +
		"Poniżej jest tekst po angielsku: to dokładnie te słowa, na które wyrażasz zgodę.",
	"consent_help":         "Jeśli potrzebujesz pomocy, aby go zrozumieć przed odpowiedzią, skontaktuj się ze szkołą %s:",
	"consent_help_school":  "Jeśli potrzebujesz pomocy, aby go zrozumieć przed odpowiedzią, skontaktuj się ze szkołą %s.",
	"consent_help_subject": "Pomoc w sprawie zgody: %s",
	"consent_question":     "Twoja odpowiedź",
	"consent_give":         "Wyrażam zgodę",
	"consent_refuse":       "Nie wyrażam zgody",
	"consent_choice":       "Decyzja należy do Ciebie. Zgodę możesz wycofać w każdej chwili, kontaktując się ze szkołą.",
	"consent_changed":      "Treść zmieniła się od otwarcia tej strony. Przeczytaj ją ponownie przed odpowiedzią.",
	"done_consent_give":    "Wyrażono zgodę. Szkoła została o tym powiadomiona.",
	"done_consent_refuse":  "Nie wyrażono zgody. Nic nie zostanie wysłane. Szkoła została o tym powiadomiona.",

	"plan_title":      "Plan wsparcia: %s",
	"plan_none":       "Nie ma jeszcze planu wsparcia. Szkoła zaprosi Cię, aby wspólnie go ustalić.",
	"plan_aims":       "Co wsparcie ma osiągnąć",
	"plan_support":    "Jakie wsparcie otrzymuje: %s",
	"plan_no_support": "Nie wpisano jeszcze żadnego wsparcia.",
	"plan_review_on":  "Plan zostanie omówiony z Tobą %s.",
	"plan_reviewed":   "Ten plan został już omówiony.",
	"plan_review_was": "Przegląd planowano na %s. Szkoła da Ci znać, kiedy się odbędzie.",

	"deadline_decision_to_assess":  "Samorząd (council) decyduje, czy przeprowadzi ocenę",
	"deadline_advice":              "Specjaliści przekazują swoje opinie",
	"deadline_notice_not_to_issue": "Jeśli plan nie zostanie wydany, samorząd Cię o tym poinformuje",
	"deadline_draft_comments":      "Twoje uwagi do projektu planu",
	"deadline_final_plan":          "Ostateczny plan EHC",
	"deadline_annual_review_due":   "Spotkanie w sprawie corocznego przeglądu",
	"deadline_report_due":          "Szkoła wysyła sprawozdanie z przeglądu do samorządu",
	"deadline_la_decision_due":     "Samorząd podejmuje decyzję po corocznym przeglądzie",
	"deadline_amended_plan_due":    "Zmieniony plan EHC",

	"step_ehcna_requested":           "Złożono wniosek o ocenę potrzeb EHC (EHC needs assessment).",
	"step_decided_to_assess":         "Samorząd (council) zdecydował, że przeprowadzi ocenę.",
	"step_refused_to_assess":         "Samorząd zdecydował, że nie przeprowadzi oceny.",
	"step_advice_requested":          "Samorząd poprosił specjalistów o opinie.",
	"step_advice_received":           "Wpłynęły opinie specjalistów.",
	"step_clock_paused":              "Terminy zostały wstrzymane.",
	"step_clock_resumed":             "Terminy znowu biegną.",
	"step_draft_issued":              "Wydano projekt planu EHC.",
	"step_not_issuing":               "Samorząd zdecydował, że nie wyda planu EHC.",
	"step_final_plan_issued":         "Wydano ostateczny plan EHC.",
	"step_annual_review_invitations": "Wysłano zaproszenia na coroczny przegląd.",
	"step_annual_review_booked":      "Ustalono termin spotkania w sprawie corocznego przeglądu.",
	"step_annual_review_held":        "Odbyło się spotkanie w sprawie corocznego przeglądu.",
	"step_annual_review_report_sent": "Szkoła wysłała sprawozdanie z przeglądu do samorządu.",
	"step_annual_review_decided":     "Samorząd podjął decyzję po corocznym przeglądzie.",
	"step_amended_plan_issued":       "Wydano zmieniony plan EHC.",
	"step_annual_review_done":        "Coroczny przegląd został zakończony.",
	"step_ehc_plan_ceased":           "Plan EHC się zakończył. Szkoła nadal wspiera Twoje dziecko.",
	"last_review":                    "Ostatni przegląd",
	"last_review_on":                 "Plan %d został omówiony %s.",
	"rating_achieved":                "osiągnięto",
	"rating_partly_achieved":         "osiągnięto częściowo",
	"rating_not_achieved":            "jeszcze nie osiągnięto",
	"rating_none":                    "bez oceny",
	"agreed":                         "Co ustalono:",
	"next_continue":                  "kontynuować dodatkową pomoc i wspólnie ustalić następny plan.",
	"next_step_down":                 "%s nie potrzebuje już dodatkowej pomocy. Szkoła będzie obserwować, jak sobie radzi.",
	"next_refer":                     "poprosić specjalistów o radę. Szkoła najpierw poprosi Cię o zgodę.",
	"next_request_ehcna":             "poprosić samorząd (council) o ocenę potrzeb edukacyjnych, zdrowotnych i opiekuńczych (EHC needs assessment).",
	"next_dates":                     "Najbliższe terminy",
	"ehc_heading":                    "Ocena potrzeb EHC i plan EHC",
	"minutes":                        "%d minut", // right for 5 to 21; sendflow says 15
	"time_limit":                     "%s — do %s",
	"no_dates":                       "Nie ma jeszcze zaplanowanych terminów.",
	"date_review":                    "Przegląd planu",
	"link_until":                     "Ten link działa do %s.",

	"signin_title":        "Zaloguj się do sendflow",
	"signin_intro":        "Naciśnij przycisk, aby się zalogować. Link działa jeden raz.",
	"signin_button":       "Zaloguj się",
	"signed_in_plan":      "Plan i najbliższe terminy: %s",
	"signed_in_none":      "Nie ma przypisanych dzieci. Skontaktuj się ze szkołą.",
	"signin_failed_title": "Ten link do logowania nie działa",
	"signin_failed_body":  "Został już użyty albo wygasł.",
	"signin_failed_hint":  "Poproś o nowy link do logowania. Każdy działa raz, przez 15 minut.",

	"home_title":            "Zobacz, jak radzi sobie Twoje dziecko",
	"home_title_signed_in":  "Twoje dzieci",
	"home_intro":            "Wpisz adres e-mail, który ma szkoła. Wyślemy Ci link do logowania. Link działa jeden raz, przez 15 minut.",
	"email_label":           "Twój adres e-mail",
	"email_hint":            "Na przykład: imie@example.com",
	"email_invalid":         "Wpisz adres e-mail, na przykład imie@example.com",
	"send_link_button":      "Wyślij mi link do logowania",
	"link_on_its_way":       "Jeśli ten adres należy do rodzica lub opiekuna znanego szkole, link do logowania jest już w drodze. Działa jeden raz, przez 15 minut.",
	"link_check_inbox":      "Sprawdź pocztę, także folder ze spamem. Jeśli nic nie przyjdzie, skontaktuj się ze szkołą.",
	"home_expired":          "Sesja się zakończyła. Wpisz adres e-mail, aby otrzymać nowy link.",
	"home_until":            "Dla Twojej prywatności ta strona działa przez 2 godziny. Potem zaloguj się ponownie pod tym adresem.",
	"new_link_title":        "Nowy link jest w drodze",
	"new_link_sent":         "Wysłaliśmy Ci nowy link. Działa jeden raz, przez 15 minut, i otwiera stronę ze wszystkimi informacjami o dziecku.",
	"new_link_button":       "Wyślij mi nowy link",
	"new_link_or":           "Możesz też zalogować się adresem e-mail na stronie",
	"expired_hint":          "Możemy wysłać Ci nowy link. Otworzy on stronę ze wszystkimi informacjami o dziecku.",
	"language_name":         "Polski",
	"language_heading":      "Język",
	"language_label":        "Język naszych e-maili i stron",
	"language_button":       "Zmień język",
	"child_school":          "Szkoła",
	"child_stage":           "Na jakim etapie jesteśmy",
	"child_asks":            "O co prosi szkoła",
	"child_meetings":        "Spotkania",
	"no_asks":               "Na razie o nic.",
	"no_meetings":           "Nie ma zaplanowanych spotkań.",
	"ask_consent":           "Szkoła prosi o zgodę na zwrócenie się do specjalistów o radę w sprawie: %s.",
	"ask_views":             "Podziel się swoim zdaniem przed następnym przeglądem wsparcia: %s.",
	"ask_meeting":           "Daj znać, czy możesz przyjść: %s.",
	"meeting_answer_link":   "Odpowiedz, czy możesz przyjść",
	"meeting_change_link":   "Zobacz spotkanie albo zmień odpowiedź",
	"answered_accepted":     "Twoja odpowiedź: Tak, przyjdę.",
	"answered_declined":     "Twoja odpowiedź: Nie, nie mogę przyjść.",
	"answered_another_time": "Poproszono szkołę o inny termin.",
	"stage_none":            "Szkoła nie zgłosiła żadnych obaw.",
	"stage_monitoring":      "Nauczyciel próbuje w klasie nowych sposobów pomocy i obserwuje, jak to działa.",
	"stage_awaiting_triage": "Koordynator do spraw specjalnych potrzeb edukacyjnych (SENDCo) sprawdza, jak najlepiej pomóc.",
	"stage_sen_support":     "Wsparcie SEN (SEN support): dodatkowa pomoc w szkole według planu ustalonego z Tobą.",
	"stage_ehc_assessment":  "Trwa ocena potrzeb edukacyjnych, zdrowotnych i opiekuńczych (EHC needs assessment).",
	"stage_ehc_plan":        "Dziecko ma plan edukacyjny, zdrowotny i opiekuńczy (EHC plan).",
	"stage_closed":          "Dodatkowa pomoc szkoły się zakończyła.",
}
