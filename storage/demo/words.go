package demo

import "strings"

// The word lists below are read-only after package initialisation. Their
// ASCII transliterations (for email addresses and web sites) are computed
// once here, so generating a million records never transliterates again.

// givenName is a given name with the salutation it goes with.
type givenName struct {
	name   string
	female bool
	ascii  string // lower-case transliteration, e.g. "juergen"
}

func given(female bool, names ...string) []givenName {
	out := make([]givenName, len(names))
	for i, n := range names {
		out[i] = givenName{name: n, female: female, ascii: translit(n)}
	}
	return out
}

var givenNames = append(
	given(false, "Jürgen", "Sören", "Ueli", "Reto", "Jörg", "Björn", "Jürg", "Günther", "Jörn", "André",
		"Hans-Peter", "Hansjörg", "Ruedi", "Köbi", "Beat", "Urs", "Stefan", "Thomas", "Daniel", "Martin",
		"Peter", "Matthias", "Lukas", "Luca", "Noah", "Michael", "Andreas", "Markus", "Christoph", "Patrick",
		"Simon", "Tobias", "Florian", "Maximilian", "Felix", "Mehmet", "Marco", "Gian", "Fritz", "Walter",
		"Ernst", "Uwe", "Jonas", "Dominik", "Raphael", "Cédric", "Loïc", "Mario", "Severin", "Bernhard"),
	given(true, "Bärbel", "Käthi", "Rösli", "Gerlinde", "Dörte", "Renée", "Chloé", "Zoë", "Noémie", "Léa",
		"Anna-Lena", "Andrea", "Ursula", "Vreni", "Heidi", "Sabine", "Claudia", "Monika", "Barbara", "Franziska",
		"Christine", "Mia", "Emma", "Lena", "Leonie", "Sophie", "Fabienne", "Corinne", "Sandra", "Nicole",
		"Valentina", "Elif", "Giulia", "Jovana", "Luzia", "Seraina", "Flurina", "Annelies", "Margrit", "Käthe",
		"Lotte", "Jasmin", "Regula", "Brigitte", "Doris", "Sibylle", "Anouk", "Martina", "Helene", "Jördis")...,
)

type word struct {
	text  string
	ascii string // lower-case transliteration for addresses and domains
}

func words(list ...string) []word {
	out := make([]word, len(list))
	for i, w := range list {
		out[i] = word{text: w, ascii: translit(w)}
	}
	return out
}

var familyNames = words(
	"Müller", "Meier", "Meyer", "Schneider", "Fischer", "Weber", "Schmid", "Schmidt", "Keller", "Huber",
	"Brunner", "Baumann", "Gerber", "Frei", "Zimmermann", "Moser", "Widmer", "Wyss", "Graf", "Steiner",
	"Weiß", "Größer", "Brändli", "Zürcher", "Käser", "Gößnitz", "Bühler", "Bürgi", "Frühauf", "Löffler",
	"Märki", "Schäfer", "Köhler", "Krüger", "Jäger", "Böhm", "Lüthi", "Rüegg", "Hänni", "Fässler",
	"Näf", "Kälin", "Stöckli", "Wüthrich", "Gächter", "Hofstätter", "Pöschl", "Grünwald", "Strauß", "Nußbaum",
	"Weißenböck", "Hölzl", "Öztürk", "Rossi", "Bianchi", "Nguyen", "Kovačević", "Dubois", "Favre", "Bättig",
	"Sutter", "Kuster", "Ammann", "Egli", "Hürlimann", "Bösch", "Dürr", "Würth", "Gössi", "Schürch",
	"Zäch", "Möckli", "Rütimann", "Flückiger", "Blättler", "Heß", "Groß", "Spörri", "Knöpfel", "Oberhänsli",
	"Hofer", "Wagner", "Bauer", "Becker", "Hoffmann", "Schulz", "Koch", "Richter", "Wolf", "Pichler",
	"Gruber", "Lechner", "Mayrhofer", "Aigner", "Eder", "Fuchs", "Lang", "Ebner", "Haas", "Gartner",
)

var trades = words(
	"Gartenbau", "Haustechnik", "Schreinerei", "Malerei", "Elektro", "Sanitär", "Bäckerei", "Metzgerei",
	"Treuhand", "Architektur", "Bau", "Holzbau", "Zimmerei", "Spenglerei", "Druckerei", "Optik",
	"Reisen", "Immobilien", "Transporte", "Käserei", "Weinbau", "Blumen", "Informatik", "Fahrzeugbau",
	"Gipserei", "Bedachungen", "Küchenbau", "Fenster", "Storenbau", "Heizungen", "Plattenleger", "Gärtnerei",
)

// legalForms per country, most frequent first.
var legalForms = [3][]string{
	{"AG", "GmbH", "GmbH", "AG", "& Co.", "Söhne AG"},
	{"GmbH", "GmbH & Co. KG", "e.K.", "AG", "GmbH", "KG"},
	{"GmbH", "OG", "KG", "GmbH", "e.U.", "GesmbH"},
}

// Countries, indexed by the country numbers below.
const (
	countryCH = iota
	countryDE
	countryAT
)

var countryNames = [3][2]string{{"Schweiz", "CH"}, {"Deutschland", "DE"}, {"Österreich", "AT"}}
var countryTLD = [3]string{".ch", ".de", ".at"}
var countryCurrency = [3]string{"CHF", "EUR", "EUR"}

// streetSuffix per country: Swiss spelling has no ß.
var streetSuffix = [3][]string{
	{"strasse", "strasse", "strasse", "gasse", "weg", "rain", "matt"},
	{"straße", "straße", "straße", "weg", "gasse", "allee", "ring"},
	{"straße", "straße", "gasse", "gasse", "weg", "platz"},
}

var streetStems = []string{
	"Bahnhof", "Haupt", "Kirch", "Schul", "Dorf", "Berg", "See", "Garten", "Linden", "Birken",
	"Rosen", "Mühle", "Schützen", "Wiesen", "Sonnen", "Feld", "Wald", "Markt", "Brunnen", "Gewerbe",
	"Industrie", "Post", "Ahorn", "Tannen", "Eichen", "Säge", "Zürcher", "Basler", "Rhein", "Bündner",
	"Obstgarten", "Rebberg", "Schloss", "Burg", "Färber", "Gerber", "Brücken", "Hübeli", "Bühl", "Mönchs",
}

// city is a real postal code and place with its landline area code (without
// the trunk zero) and region (canton, Land, Bundesland).
type city struct {
	plz, name, region, area string
}

var cities = [3][]city{
	{
		{"8001", "Zürich", "ZH", "44"}, {"3011", "Bern", "BE", "31"}, {"4051", "Basel", "BS", "61"},
		{"6003", "Luzern", "LU", "41"}, {"9000", "St. Gallen", "SG", "71"}, {"8400", "Winterthur", "ZH", "52"},
		{"5000", "Aarau", "AG", "62"}, {"3600", "Thun", "BE", "33"}, {"7000", "Chur", "GR", "81"},
		{"8500", "Frauenfeld", "TG", "52"}, {"6300", "Zug", "ZG", "41"}, {"2502", "Biel/Bienne", "BE", "32"},
		{"8200", "Schaffhausen", "SH", "52"}, {"4500", "Solothurn", "SO", "32"}, {"8610", "Uster", "ZH", "44"},
		{"8640", "Rapperswil-Jona", "SG", "55"}, {"3900", "Brig", "VS", "27"}, {"1700", "Fribourg", "FR", "26"},
		{"8750", "Glarus", "GL", "55"}, {"9100", "Herisau", "AR", "71"}, {"8810", "Horgen", "ZH", "44"},
		{"8820", "Wädenswil", "ZH", "44"}, {"8302", "Kloten", "ZH", "44"}, {"3400", "Burgdorf", "BE", "34"},
		{"4600", "Olten", "SO", "62"}, {"5400", "Baden", "AG", "56"}, {"6370", "Stans", "NW", "41"},
		{"6460", "Altdorf", "UR", "41"}, {"8712", "Stäfa", "ZH", "44"}, {"9500", "Wil", "SG", "71"},
		{"8180", "Bülach", "ZH", "44"}, {"4410", "Liestal", "BL", "61"}, {"6403", "Küssnacht", "SZ", "41"},
		{"8840", "Einsiedeln", "SZ", "55"}, {"4800", "Zofingen", "AG", "62"}, {"4900", "Langenthal", "BE", "62"},
		{"3110", "Münsingen", "BE", "31"}, {"8708", "Männedorf", "ZH", "44"}, {"8953", "Dietikon", "ZH", "44"},
	},
	{
		{"10115", "Berlin", "BE", "30"}, {"80331", "München", "BY", "89"}, {"70173", "Stuttgart", "BW", "711"},
		{"79098", "Freiburg im Breisgau", "BW", "761"}, {"50667", "Köln", "NW", "221"},
		{"60311", "Frankfurt am Main", "HE", "69"}, {"20095", "Hamburg", "HH", "40"}, {"01067", "Dresden", "SN", "351"},
		{"04109", "Leipzig", "SN", "341"}, {"90402", "Nürnberg", "BY", "911"}, {"86150", "Augsburg", "BY", "821"},
		{"88045", "Friedrichshafen", "BW", "7541"}, {"78462", "Konstanz", "BW", "7531"}, {"79539", "Lörrach", "BW", "7621"},
		{"89073", "Ulm", "BW", "731"}, {"93047", "Regensburg", "BY", "941"}, {"97070", "Würzburg", "BY", "931"},
		{"69117", "Heidelberg", "BW", "6221"}, {"76133", "Karlsruhe", "BW", "721"}, {"30159", "Hannover", "NI", "511"},
		{"28195", "Bremen", "HB", "421"}, {"45127", "Essen", "NW", "201"}, {"40213", "Düsseldorf", "NW", "211"},
		{"55116", "Mainz", "RP", "6131"}, {"66111", "Saarbrücken", "SL", "681"}, {"87435", "Kempten (Allgäu)", "BY", "831"},
		{"83022", "Rosenheim", "BY", "8031"}, {"94032", "Passau", "BY", "851"}, {"07743", "Jena", "TH", "3641"},
		{"99084", "Erfurt", "TH", "361"}, {"37073", "Göttingen", "NI", "551"}, {"48143", "Münster", "NW", "251"},
	},
	{
		{"1010", "Wien", "W", "1"}, {"1070", "Wien", "W", "1"}, {"1190", "Wien", "W", "1"},
		{"8010", "Graz", "ST", "316"}, {"4020", "Linz", "OÖ", "732"}, {"5020", "Salzburg", "S", "662"},
		{"6020", "Innsbruck", "T", "512"}, {"9020", "Klagenfurt am Wörthersee", "K", "463"},
		{"6900", "Bregenz", "V", "5574"}, {"6850", "Dornbirn", "V", "5572"}, {"3100", "St. Pölten", "NÖ", "2742"},
		{"7000", "Eisenstadt", "B", "2682"}, {"4600", "Wels", "OÖ", "7242"}, {"9500", "Villach", "K", "4242"},
		{"6800", "Feldkirch", "V", "5522"}, {"2700", "Wiener Neustadt", "NÖ", "2622"}, {"8700", "Leoben", "ST", "3842"},
		{"4400", "Steyr", "OÖ", "7252"}, {"6330", "Kufstein", "T", "5372"}, {"5700", "Zell am See", "S", "6542"},
		{"3500", "Krems an der Donau", "NÖ", "2732"}, {"2340", "Mödling", "NÖ", "2236"},
	},
}

// mobilePrefixes per country, without the trunk zero.
var mobilePrefixes = [3][]string{
	{"79", "78", "76", "77", "75"},
	{"151", "160", "170", "171", "172", "176", "152", "157"},
	{"664", "676", "650", "699", "660"},
}

var emailDomains = [3][]string{
	{"bluewin.ch", "gmx.ch", "sunrise.ch", "hispeed.ch", "gmail.com", "outlook.com", "protonmail.ch"},
	{"web.de", "gmx.de", "t-online.de", "gmail.com", "posteo.de", "outlook.de"},
	{"gmx.at", "aon.at", "chello.at", "gmail.com", "a1.net"},
}

var positions = [2][]string{
	{"Geschäftsführer", "Inhaber", "Leiter Einkauf", "Projektleiter", "Hauswart", "Technischer Leiter", "Verwaltungsrat", "Bauleiter"},
	{"Geschäftsführerin", "Inhaberin", "Leiterin Einkauf", "Projektleiterin", "Sekretariat", "Buchhaltung", "Verwaltungsrätin", "Architektin"},
}

var tagPool = []string{
	"Messe Basel 2026", "Messe Basel 2025", "OLMA 2025", "Swissbau 2026", "Newsletter", "VIP", "Handwerk",
	"Stammkunde", "Weihnachtskarte", "Wiederverkäufer", "Architekt", "Gastro", "Privatkunde", "Bauherr",
	"Empfehlung", "Hausmesse Zürich", "Offerte offen", "Service-Abo",
}

var sources = []string{
	"Messe Basel 2026", "Empfehlung", "Website", "Telefon", "Laufkundschaft", "Import Outlook", "Inserat",
	"Messe Basel 2025", "Swissbau 2026", "Newsletter-Anmeldung",
}

var memos = []string{
	"Bevorzugt Termine am Vormittag.",
	"Hund im Garten – vorher anrufen.",
	"Rechnungen immer an die Buchhaltung, nicht an den Chef.",
	"Spricht lieber Französisch.",
	"Zahlt zuverlässig, aber meist erst nach der zweiten Mahnung.",
	"Kaffee schwarz, ohne Zucker.",
	"Parkplatz hinter dem Haus benutzen.",
	"Sehr preisbewusst, legt Wert auf persönliche Beratung.",
	"Hat uns an drei Nachbarn weiterempfohlen.",
	"Im Sommer oft im Tessin – dann per Mail.",
}

// staff are the people who use the app, with the device they work on.
var staff = []struct{ name, device string }{
	{"Anna Keller", "buero-pc"},
	{"Reto Brändli", "laptop-reto"},
	{"Käthi Zürcher", "buero-pc"},
	{"Jürgen Weiß", "laptop-messe"},
	{"Sören Gößnitz", "tablet-aussendienst"},
}

// Note texts: a topic per kind, then an outcome that fits the impression.
var noteTopics = map[string][]string{
	"visit": {
		"Besuch vor Ort, neue Heizung besprochen.", "Baustelle besichtigt und ausgemessen.",
		"Kundin im Laden beraten, Muster mitgegeben.", "Servicebesuch, Anlage kontrolliert.",
		"Vor Ort: Gartenplanung für das Frühjahr.", "Abnahme der ausgeführten Arbeiten.",
	},
	"call": {
		"Telefonat wegen Offerte.", "Rückruf wegen Terminverschiebung.", "Kurz nachgefragt, ob alles passt.",
		"Anruf: Frage zur Rechnung.", "Telefonisch Liefertermin bestätigt.", "Anruf wegen Ersatzteilen.",
	},
	"email": {
		"Offerte per Mail geschickt.", "Mail mit Fotos der Schadstelle erhalten.", "Unterlagen per Mail nachgereicht.",
		"Terminbestätigung per Mail.", "Anfrage per Mail zu Lieferzeiten.", "Rechnungskopie per Mail verlangt.",
	},
	"meeting": {
		"Jahresgespräch im Büro.", "Projektsitzung mit Architekt.", "Besprechung der Rahmenvereinbarung.",
		"Treffen zur Planung der nächsten Etappe.", "Sitzung mit der Verwaltung.",
	},
	"fair": {
		"Am Messestand: Interesse an der neuen Kollektion.", "Messegespräch, Katalog mitgenommen.",
		"Am Stand vorbeigekommen, Wettbewerb ausgefüllt.", "Messe: Fragen zu Wartungsverträgen.",
	},
	"complaint": {
		"Reklamation: Lieferung kam zwei Wochen zu spät.", "Reklamation: Rechnung doppelt verschickt.",
		"Beschwerde über den Monteur – Schmutz hinterlassen.", "Reklamation: Farbe stimmt nicht mit Muster überein.",
		"Ärger über lange Wartezeit am Telefon.", "Reklamation: Gerät nach einer Woche defekt.",
	},
	"feedback": {
		"Wunsch: Termine auch am Samstag.", "Anregung: Online-Terminbuchung wäre praktisch.",
		"Lob für die saubere Arbeit, wünscht sich Pflegetipps.", "Wunsch: Rechnung lieber als PDF.",
		"Idee: Wartungsabo mit fixem Jahrespreis.", "Wünscht sich einen Newsletter mit Saisontipps.",
	},
	"other": {
		"Weihnachtskarte erhalten.", "Adressänderung mitgeteilt.", "Zufällig im Dorf getroffen.",
		"Empfehlung an Nachbarn weitergegeben.", "Gutschein eingelöst.",
	},
}

var noteOutcomes = [3][]string{ // positive, neutral, negative
	{"Sehr zufrieden.", "Freut sich auf die Umsetzung.", "Herzlicher Empfang, gute Stimmung.", "Auftrag mündlich zugesagt.", "Dankbar für die schnelle Hilfe."},
	{"Meldet sich nächste Woche.", "Noch unentschlossen.", "Will zuerst mit dem Partner reden.", "Keine weiteren Fragen.", "Unterlagen folgen."},
	{"Verärgert, erwartet schnelle Lösung.", "Enttäuscht von unserer Reaktion.", "Droht mit Wechsel zur Konkurrenz.", "Unzufrieden mit dem Preis.", "Stimmung angespannt."},
}

var followUpTitles = []string{
	"Offerte nachfassen", "Rückruf vereinbaren", "Termin vor Ort", "Muster zusenden", "Rechnung besprechen",
	"Jahresgespräch", "Service-Termin", "Katalog schicken", "Nachkontrolle der Arbeiten", "Wartung planen",
	"Glückwunsch zum Firmenjubiläum", "Einladung Hausmesse nachfragen",
}

var complaintFollowUpTitles = []string{
	"Reklamation klären", "Rückruf wegen Reklamation", "Nachbesserung vor Ort", "Ersatz liefern", "Gutschrift prüfen",
}

// gestureTitles per kind (except invitations, titled by their event).
var gestureTitles = map[string][]string{
	"priority": {"Vorkaufsrecht Frühjahrskollektion", "Vorab-Zugang Sonderverkauf", "Bevorzugter Termin in der Hochsaison"},
	"discount": {"Treuerabatt", "Stammkundenrabatt", "Jubiläumsrabatt"},
	"gift":     {"Weinflasche zum Geburtstag", "Pralinés zum Jubiläum", "Gutschein Gartencenter", "Blumenstrauss zum Dank"},
	"service":  {"Gratis-Wartung Heizung", "Express-Lieferung ohne Aufpreis", "Kostenlose Nachkontrolle"},
	"custom":   {"Sonderanfertigung Gartentor", "Massgefertigtes Regal", "Individuelle Gravur"},
	"partner":  {"Partnerangebot Malerei Huber", "Partnerangebot Optik Bühler", "Partnerangebot Reisen Käser"},
	"apology":  {"Entschuldigung: Gutschein", "Blumen als Entschuldigung", "Kostenloser Service als Entschuldigung"},
	"thankyou": {"Dankeskarte nach Auftrag", "Handgeschriebene Karte zum Jahresende", "Dankesbrief für Empfehlung"},
	"other":    {"Kalender zum Jahreswechsel", "Einladung zum Kaffee", "Fachartikel geschickt"},
}

// eventTemplates are the events of the demo, days relative to the
// generation's "today" so the data never goes stale.
var eventTemplates = []struct {
	name, place string
	days        int // start relative to today
	hour        int // local start hour
	duration    int // minutes
	capacity    int
}{
	{"Kundenapéro im Showroom", "Showroom, Seestrasse 12, 8712 Stäfa", -45, 18, 180, 120},
	{"Tag der offenen Tür", "Werkhof, Industriestrasse 7, 8610 Uster", 10, 10, 420, 0},
	{"Stammkundenabend", "Gasthaus Löwen, Dorfstrasse 3, 8708 Männedorf", 30, 19, 240, 60},
	{"Werkstattführung", "Werkstatt, Gewerbeweg 5, 8610 Uster", -120, 14, 120, 25},
	{"Gartenfest", "Gärtnerei Brändli, Rosenweg 2, 8810 Horgen", 75, 16, 300, 200},
}

// translit lower-cases s and spells it in ASCII the way Germans write
// umlauts without a German keyboard (ä → ae, ß → ss), dropping what cannot
// appear in an address or a domain.
func translit(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		switch r {
		case 'ä':
			b.WriteString("ae")
		case 'ö':
			b.WriteString("oe")
		case 'ü':
			b.WriteString("ue")
		case 'ß':
			b.WriteString("ss")
		case 'é', 'è', 'ê', 'ë':
			b.WriteByte('e')
		case 'à', 'á', 'â':
			b.WriteByte('a')
		case 'ï', 'î', 'í':
			b.WriteByte('i')
		case 'ć', 'č', 'ç':
			b.WriteByte('c')
		case 'ô', 'ó':
			b.WriteByte('o')
		case ' ', '-', '/':
			b.WriteByte('-')
		default:
			if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
				b.WriteRune(r)
			}
		}
	}
	return b.String()
}
