package jsonata

import (
	"math"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

var (
	fewWords     = []string{"Zero", "One", "Two", "Three", "Four", "Five", "Six", "Seven", "Eight", "Nine", "Ten", "Eleven", "Twelve", "Thirteen", "Fourteen", "Fifteen", "Sixteen", "Seventeen", "Eighteen", "Nineteen"}
	ordinalWords = []string{"Zeroth", "First", "Second", "Third", "Fourth", "Fifth", "Sixth", "Seventh", "Eighth", "Ninth", "Tenth", "Eleventh", "Twelfth", "Thirteenth", "Fourteenth", "Fifteenth", "Sixteenth", "Seventeenth", "Eighteenth", "Nineteenth"}
	decadeWords  = []string{"Twenty", "Thirty", "Forty", "Fifty", "Sixty", "Seventy", "Eighty", "Ninety", "Hundred"}
	magnitudes   = []string{"Thousand", "Million", "Billion", "Trillion"}
	wordValues   = buildWordValues()
	wordsRegex   = buildWordsRegex()
	dayNames     = []string{"", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"}
	monthNames   = []string{"January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"}
	romanNums    = []struct {
		v int
		s string
	}{{1000, "m"}, {900, "cm"}, {500, "d"}, {400, "cd"}, {100, "c"}, {90, "xc"}, {50, "l"}, {40, "xl"}, {10, "x"}, {9, "ix"}, {5, "v"}, {4, "iv"}, {1, "i"}}
	decimalGroups = []rune{0x30, 0x0660, 0x06F0, 0x07C0, 0x0966, 0x09E6, 0x0A66, 0x0AE6, 0x0B66, 0x0BE6, 0x0C66, 0x0CE6, 0x0D66, 0x0DE6, 0x0E50, 0x0ED0, 0x0F20, 0x1040, 0x1090, 0x17E0, 0x1810, 0x1946, 0x19D0, 0x1A80, 0x1A90, 0x1B50, 0x1BB0, 0x1C40, 0x1C50, 0xA620, 0xA8D0, 0xA900, 0xA9D0, 0xA9F0, 0xAA50, 0xABF0, 0xFF10}
	iso8601Regex  = regexp.MustCompile(`^\d{4}(-[01]\d)*(-[0-3]\d)*(T[0-2]\d:[0-5]\d:[0-5]\d)*(\.\d+)?([+-][0-2]\d:?[0-5]\d|Z)?$`)
)

func buildWordValues() map[string]int {
	m := map[string]int{}
	for i, w := range fewWords {
		m[strings.ToLower(w)] = i
	}
	for i, w := range ordinalWords {
		m[strings.ToLower(w)] = i
	}
	for i, w := range decadeWords {
		lw := strings.ToLower(w)
		m[lw] = (i + 2) * 10
		m[lw[:len(lw)-1]+"ieth"] = m[lw]
	}
	m["hundredth"] = 100
	for i, w := range magnitudes {
		lw := strings.ToLower(w)
		v := int(math.Pow(10, float64((i+1)*3)))
		m[lw] = v
		m[lw+"th"] = v
	}
	return m
}

func buildWordsRegex() string {
	keys := make([]string, 0, len(wordValues))
	for k := range wordValues {
		keys = append(keys, k)
	}
	// longest first so that alternation prefers whole words
	sort.Slice(keys, func(i, j int) bool {
		return len(keys[i]) > len(keys[j]) || len(keys[i]) == len(keys[j]) && keys[i] < keys[j]
	})
	return "(?:" + strings.Join(keys, "|") + "|and|[\\-, ])+"
}

func numberToWords(value float64, ordinal bool) string {
	var lookup func(num float64, prev, ord bool) string
	lookup = func(num float64, prev, ord bool) string {
		words := ""
		switch {
		case num <= 19:
			if prev {
				words = " and "
			}
			if ord {
				words += ordinalWords[int(num)]
			} else {
				words += fewWords[int(num)]
			}
		case num < 100:
			tens, rem := int(num)/10, int(num)%10
			if prev {
				words = " and "
			}
			words += decadeWords[tens-2]
			if rem > 0 {
				words += "-" + lookup(float64(rem), false, ord)
			} else if ord {
				words = words[:len(words)-1] + "ieth"
			}
		case num < 1000:
			h, rem := int(num)/100, int(num)%100
			if prev {
				words = ", "
			}
			words += fewWords[h] + " Hundred"
			if rem > 0 {
				words += lookup(float64(rem), true, ord)
			} else if ord {
				words += "th"
			}
		default:
			mag := int(math.Floor(math.Log10(num) / 3))
			if mag > len(magnitudes) {
				mag = len(magnitudes)
			}
			factor := math.Pow(10, float64(mag*3))
			mant := math.Floor(num / factor)
			rem := num - mant*factor
			if prev {
				words = ", "
			}
			words += lookup(mant, false, false) + " " + magnitudes[mag-1]
			if rem > 0 {
				words += lookup(rem, true, ord)
			} else if ord {
				words += "th"
			}
		}
		return words
	}
	return lookup(value, false, ordinal)
}

var wordSplit = regexp.MustCompile(`,\s|\sand\s|[\s\\-]`)

func wordsToNumber(text string) float64 {
	parts := wordSplit.Split(text, -1)
	segs := []float64{0}
	for _, p := range parts {
		iv, ok := wordValues[p]
		if !ok {
			continue
		}
		v := float64(iv)
		if v < 100 {
			top := segs[len(segs)-1]
			segs = segs[:len(segs)-1]
			if top >= 1000 {
				segs = append(segs, top)
				top = 0
			}
			segs = append(segs, top+v)
		} else {
			segs[len(segs)-1] *= v
		}
	}
	sum := 0.0
	for _, s := range segs {
		sum += s
	}
	return sum
}

func decimalToRoman(v int) string {
	var b strings.Builder
	for v > 0 {
		for _, n := range romanNums {
			if v >= n.v {
				b.WriteString(n.s)
				v -= n.v
				break
			}
		}
	}
	return b.String()
}

func romanToDecimal(s string) int {
	vals := map[byte]int{'M': 1000, 'D': 500, 'C': 100, 'L': 50, 'X': 10, 'V': 5, 'I': 1}
	dec, mx := 0, 1
	for i := len(s) - 1; i >= 0; i-- {
		v := vals[s[i]]
		if v < mx {
			dec -= v
		} else {
			mx = v
			dec += v
		}
	}
	return dec
}

func decimalToLetters(v int, a byte) string {
	var letters []byte
	for v > 0 {
		letters = append([]byte{byte((v-1)%26) + a}, letters...)
		v = (v - 1) / 26
	}
	return string(letters)
}

func lettersToDecimal(s string, a byte) int {
	dec := 0
	for i := 0; i < len(s); i++ {
		dec += int(s[len(s)-i-1]-a+1) * int(math.Pow(26, float64(i)))
	}
	return dec
}

type groupSep struct {
	position  int
	character string
}

type intFormat struct {
	primary         string // decimal, letters, roman, words, sequence
	tcase           string // upper, lower, title
	ordinal         bool
	zeroCode        rune
	mandatoryDigits int
	optionalDigits  int
	regular         bool
	regularSep      groupSep
	separators      []groupSep
	token           string
	n               int
}

func analyzeIntegerPicture(picture string) (*intFormat, error) {
	f := &intFormat{primary: "decimal", tcase: "lower"}
	primary := picture
	if semi := strings.LastIndex(picture, ";"); semi >= 0 {
		primary = picture[:semi]
		mod := picture[semi+1:]
		if strings.HasPrefix(mod, "o") {
			f.ordinal = true
		}
	}
	switch primary {
	case "A":
		f.tcase = "upper"
		f.primary = "letters"
	case "a":
		f.primary = "letters"
	case "I":
		f.tcase = "upper"
		f.primary = "roman"
	case "i":
		f.primary = "roman"
	case "W":
		f.tcase = "upper"
		f.primary = "words"
	case "Ww":
		f.tcase = "title"
		f.primary = "words"
	case "w":
		f.primary = "words"
	default:
		zero := rune(-1)
		mandatory, optional, sepPos := 0, 0, 0
		var seps []groupSep
		runes := []rune(primary)
		for i := len(runes) - 1; i >= 0; i-- {
			cp := runes[i]
			digit := false
			for _, g := range decimalGroups {
				if cp >= g && cp <= g+9 {
					digit = true
					mandatory++
					sepPos++
					if zero == -1 {
						zero = g
					} else if g != zero {
						return nil, newErr("D3131")
					}
					break
				}
			}
			if !digit {
				if cp == '#' {
					sepPos++
					optional++
				} else {
					seps = append(seps, groupSep{position: sepPos, character: string(cp)})
				}
			}
		}
		if mandatory > 0 {
			f.primary = "decimal"
			f.zeroCode = zero
			f.mandatoryDigits = mandatory
			f.optionalDigits = optional
			if r := regularRepeat(seps); r > 0 {
				f.regular = true
				f.regularSep = groupSep{position: r, character: seps[0].character}
			} else {
				f.separators = seps
			}
		} else {
			f.primary = "sequence"
			f.token = primary
		}
	}
	return f, nil
}

func regularRepeat(seps []groupSep) int {
	if len(seps) == 0 {
		return 0
	}
	for _, s := range seps[1:] {
		if s.character != seps[0].character {
			return 0
		}
	}
	gcd := func(a, b int) int {
		for b != 0 {
			a, b = b, a%b
		}
		return a
	}
	factor := seps[0].position
	for _, s := range seps[1:] {
		factor = gcd(factor, s.position)
	}
	for i := 1; i <= len(seps); i++ {
		found := false
		for _, s := range seps {
			if s.position == i*factor {
				found = true
				break
			}
		}
		if !found {
			return 0
		}
	}
	return factor
}

func formatIntegerWith(value int, f *intFormat) (string, error) {
	return formatIntegerF(float64(value), f)
}

func formatIntegerF(fv float64, f *intFormat) (string, error) {
	if math.IsNaN(fv) || math.IsInf(fv, 0) {
		// jsonata-js recurses without end on these
		return "", errv("D1001", fv)
	}
	negative := fv < 0
	fv = math.Abs(fv)
	value := int(math.Min(fv, 1<<62))
	var s string
	switch f.primary {
	case "letters":
		a := byte('a')
		if f.tcase == "upper" {
			a = 'A'
		}
		s = decimalToLetters(value, a)
	case "roman":
		if fv > 1e7 {
			// jsonata-js recurses once per thousand and overflows its stack
			return "", errv("D3130", formatJSNumber(fv))
		}
		s = decimalToRoman(value)
		if f.tcase == "upper" {
			s = strings.ToUpper(s)
		}
	case "words":
		s = numberToWords(fv, f.ordinal)
		switch f.tcase {
		case "upper":
			s = strings.ToUpper(s)
		case "lower":
			s = strings.ToLower(s)
		}
	case "decimal":
		s = formatJSNumber(fv)
		if pad := f.mandatoryDigits - len(s); pad > maxStringLen {
			return "", newErr("U1004")
		} else if pad > 0 {
			s = strings.Repeat("0", pad) + s
		}
		if f.zeroCode != '0' {
			rs := []rune(s)
			for i, r := range rs {
				rs[i] = r + f.zeroCode - '0'
			}
			s = string(rs)
		}
		if f.regular {
			rs := []rune(s)
			n := (len(rs) - 1) / f.regularSep.position
			for ii := n; ii > 0; ii-- {
				pos := len(rs) - ii*f.regularSep.position
				rs = append(rs[:pos:pos], append([]rune(f.regularSep.character), rs[pos:]...)...)
			}
			s = string(rs)
		} else {
			for i := len(f.separators) - 1; i >= 0; i-- {
				sep := f.separators[i]
				rs := []rune(s)
				pos := len(rs) - sep.position
				if pos < 0 {
					pos = 0
				}
				s = string(rs[:pos]) + sep.character + string(rs[pos:])
			}
		}
		if f.ordinal {
			suffix := "th"
			last := s[len(s)-1]
			switch last {
			case '1':
				suffix = "st"
			case '2':
				suffix = "nd"
			case '3':
				suffix = "rd"
			}
			if len(s) > 1 && s[len(s)-2] == '1' {
				suffix = "th"
			}
			s += suffix
		}
	case "sequence":
		return "", errv("D3130", f.token)
	}
	if negative {
		s = "-" + s
	}
	return s, nil
}

func fnFormatInteger(e *evaluator, c *call, a []any) (any, error) {
	if a[0] == nil || a[1] == nil {
		return nil, nil
	}
	f, err := analyzeIntegerPicture(a[1].(string))
	if err != nil {
		return nil, err
	}
	return formatIntegerF(math.Floor(a[0].(float64)), f)
}

type dtPart struct {
	literal       bool
	value         string
	component     byte
	presentation1 string
	presentation2 string
	ordinal       bool
	names         string
	widthMin      int // -1 when absent
	widthMax      int
	hasWidth      bool
	intFormat     *intFormat
	n             int
}

func analyzeDateTimePicture(picture string) ([]*dtPart, error) {
	var spec []*dtPart
	addLiteral := func(start, end int) {
		if end > start {
			lit := strings.ReplaceAll(picture[start:end], "]]", "]")
			spec = append(spec, &dtPart{literal: true, value: lit})
		}
	}
	start, pos := 0, 0
	for pos < len(picture) {
		if picture[pos] == '[' {
			if pos+1 < len(picture) && picture[pos+1] == '[' {
				addLiteral(start, pos)
				spec = append(spec, &dtPart{literal: true, value: "["})
				pos += 2
				start = pos
				continue
			}
			addLiteral(start, pos)
			start = pos
			end := strings.IndexByte(picture[start:], ']')
			if end < 0 {
				return nil, newErr("D3135")
			}
			pos = start + end
			marker := strings.Join(strings.Fields(picture[start+1:pos]), "")
			if marker == "" {
				return nil, errv("D3132", "")
			}
			d := &dtPart{component: marker[0], widthMin: -1, widthMax: -1}
			var pres string
			if comma := strings.LastIndex(marker, ","); comma >= 0 {
				wm := marker[comma+1:]
				minS, maxS := wm, ""
				hasMax := false
				if dash := strings.Index(wm, "-"); dash >= 0 {
					minS, maxS = wm[:dash], wm[dash+1:]
					hasMax = true
				}
				d.hasWidth = true
				d.widthMin = parseWidth(minS)
				if hasMax {
					d.widthMax = parseWidth(maxS)
				}
				if comma >= 1 {
					pres = marker[1:comma]
				} else {
					pres = marker[:1] // substring(1, 0) swaps its arguments
				}
			} else {
				pres = marker[1:]
			}
			if utf8.RuneCountInString(pres) == 1 {
				d.presentation1 = pres
			} else if len(pres) > 1 {
				last := pres[len(pres)-1]
				if strings.IndexByte("atco", last) >= 0 {
					d.presentation2 = string(last)
					if last == 'o' {
						d.ordinal = true
					}
					d.presentation1 = pres[:len(pres)-1]
				} else {
					d.presentation1 = pres
				}
			} else {
				def, ok := map[byte]string{'Y': "1", 'M': "1", 'D': "1", 'd': "1", 'F': "n", 'W': "1", 'w': "1", 'X': "1", 'x': "1", 'H': "1", 'h': "1", 'P': "n", 'm': "01", 's': "01", 'f': "1", 'Z': "01:01", 'z': "01:01", 'C': "n", 'E': "n"}[d.component]
				if !ok {
					return nil, errv("D3132", string(d.component))
				}
				d.presentation1 = def
			}
			switch {
			case d.presentation1[0] == 'n':
				d.names = "lower"
			case d.presentation1[0] == 'N':
				if len(d.presentation1) > 1 && d.presentation1[1] == 'n' {
					d.names = "title"
				} else {
					d.names = "upper"
				}
			case strings.IndexByte("YMDdFWwXxHhmsf", d.component) >= 0:
				ip := d.presentation1
				if d.presentation2 != "" {
					ip += ";" + d.presentation2
				}
				f, err := analyzeIntegerPicture(ip)
				if err != nil {
					return nil, err
				}
				d.intFormat = f
				if d.hasWidth && d.widthMin >= 0 && f.mandatoryDigits < d.widthMin {
					f.mandatoryDigits = d.widthMin
				}
				if strings.IndexByte("YMD", d.component) >= 0 {
					d.n = -1
					if d.hasWidth && d.widthMax >= 0 {
						d.n = d.widthMax
						f.mandatoryDigits = d.n
					} else if w := f.mandatoryDigits + f.optionalDigits; w >= 2 {
						d.n = w
					}
				}
			}
			if d.component == 'Z' || d.component == 'z' {
				f, err := analyzeIntegerPicture(d.presentation1)
				if err != nil {
					return nil, err
				}
				d.intFormat = f
			}
			spec = append(spec, d)
			start = pos + 1
		}
		pos++
	}
	addLiteral(start, pos)
	return spec, nil
}

func parseWidth(s string) int {
	if s == "" || s == "*" {
		return -1
	}
	n, ok := parseLeadingInt(s)
	if !ok {
		return -1
	}
	return n
}

const millisInADay = 86400000

func dateUTC(y, m int, rest ...int) int64 {
	d, h, mi, s, ms := 1, 0, 0, 0, 0
	if len(rest) > 0 {
		d = rest[0]
	}
	if len(rest) > 1 {
		h = rest[1]
	}
	if len(rest) > 2 {
		mi = rest[2]
	}
	if len(rest) > 3 {
		s = rest[3]
	}
	if len(rest) > 4 {
		ms = rest[4]
	}
	return time.Date(y, time.Month(m+1), d, h, mi, s, ms*1e6, time.UTC).UnixMilli()
}

func startOfFirstWeek(y, m int) int64 {
	jan1 := dateUTC(y, m)
	day := int(time.UnixMilli(jan1).UTC().Weekday())
	if day == 0 {
		day = 7
	}
	if day > 4 {
		return jan1 + int64(8-day)*millisInADay
	}
	return jan1 - int64(day-1)*millisInADay
}

func nextMonth(y, m int) (int, int) {
	if m == 11 {
		return y + 1, 0
	}
	return y, m + 1
}

func prevMonth(y, m int) (int, int) {
	if m == 0 {
		return y - 1, 11
	}
	return y, m - 1
}

func deltaWeeks(start, end int64) float64 {
	return float64(end-start)/float64(millisInADay*7) + 1
}

// fragment returns a date component: an int, or a string for P, C and E.
func fragment(t time.Time, comp byte) any {
	switch comp {
	case 'Y':
		return t.Year()
	case 'M':
		return int(t.Month())
	case 'D':
		return t.Day()
	case 'd':
		today := dateUTC(t.Year(), int(t.Month())-1, t.Day())
		first := dateUTC(t.Year(), 0)
		return int((today-first)/millisInADay) + 1
	case 'F':
		d := int(t.Weekday())
		if d == 0 {
			d = 7
		}
		return d
	case 'W':
		y := t.Year()
		sw := startOfFirstWeek(y, 0)
		today := dateUTC(y, int(t.Month())-1, t.Day())
		week := deltaWeeks(sw, today)
		if week > 52 {
			if today >= startOfFirstWeek(y+1, 0) {
				week = 1
			}
		} else if week < 1 {
			week = deltaWeeks(startOfFirstWeek(y-1, 0), today)
		}
		return int(math.Floor(week))
	case 'w':
		y, m := t.Year(), int(t.Month())-1
		sw := startOfFirstWeek(y, m)
		today := dateUTC(y, m, t.Day())
		week := deltaWeeks(sw, today)
		if week > 4 {
			ny, nm := nextMonth(y, m)
			if today >= startOfFirstWeek(ny, nm) {
				week = 1
			}
		} else if week < 1 {
			py, pm := prevMonth(y, m)
			week = deltaWeeks(startOfFirstWeek(py, pm), today)
		}
		return int(math.Floor(week))
	case 'X':
		y := t.Year()
		start, end := startOfFirstWeek(y, 0), startOfFirstWeek(y+1, 0)
		now := t.UnixMilli()
		if now < start {
			return y - 1
		} else if now >= end {
			return y + 1
		}
		return y
	case 'x':
		y, m := t.Year(), int(t.Month())-1
		start := startOfFirstWeek(y, m)
		ny, nm := nextMonth(y, m)
		end := startOfFirstWeek(ny, nm)
		now := t.UnixMilli()
		if now < start {
			_, pm := prevMonth(y, m)
			return pm + 1
		} else if now >= end {
			return nm + 1
		}
		return m + 1
	case 'H':
		return t.Hour()
	case 'h':
		h := t.Hour() % 12
		if h == 0 {
			h = 12
		}
		return h
	case 'P':
		if t.Hour() >= 12 {
			return "pm"
		}
		return "am"
	case 'm':
		return t.Minute()
	case 's':
		return t.Second()
	case 'f':
		return t.Nanosecond() / 1e6
	case 'C', 'E':
		return "ISO"
	}
	return nil
}

func formatDateTime(millis float64, picture *string, timezone *string) (string, error) {
	offH, offM := 0, 0
	if timezone != nil {
		off, ok := parseLeadingSignedInt(*timezone)
		if ok {
			offH = int(math.Floor(float64(off) / 100))
			offM = off % 100
		}
	}
	pic := "[Y0001]-[M01]-[D01]T[H01]:[m01]:[s01].[f001][Z01:01t]"
	if picture != nil {
		pic = *picture
	}
	spec, err := analyzeDateTimePicture(pic)
	if err != nil {
		return "", err
	}
	offMillis := int64((60*offH + offM) * 60 * 1000)
	t := time.UnixMilli(int64(math.Floor(millis)) + offMillis).UTC()
	var b strings.Builder
	for _, p := range spec {
		if p.literal {
			b.WriteString(p.value)
			continue
		}
		s, err := formatComponent(t, p, offH, offM)
		if err != nil {
			return "", err
		}
		b.WriteString(s)
	}
	return b.String(), nil
}

func parseLeadingSignedInt(s string) (int, bool) {
	s = strings.TrimSpace(s)
	neg := false
	if strings.HasPrefix(s, "-") {
		neg = true
		s = s[1:]
	} else if strings.HasPrefix(s, "+") {
		s = s[1:]
	}
	n, ok := parseLeadingInt(s)
	if neg {
		n = -n
	}
	return n, ok
}

func formatComponent(t time.Time, p *dtPart, offH, offM int) (string, error) {
	v := fragment(t, p.component)
	switch {
	case strings.IndexByte("YMDdFWwXxHhms", p.component) >= 0:
		iv := v.(int)
		if p.component == 'Y' && p.n != -1 {
			iv = iv % int(math.Pow(10, float64(p.n)))
		}
		if p.names != "" {
			var name string
			switch p.component {
			case 'M', 'x':
				name = monthNames[iv-1]
			case 'F':
				name = dayNames[iv]
			default:
				return "", errv("D3133", string(p.component))
			}
			switch p.names {
			case "upper":
				name = strings.ToUpper(name)
			case "lower":
				name = strings.ToLower(name)
			}
			if p.hasWidth && p.widthMax >= 0 && len(name) > p.widthMax {
				name = name[:p.widthMax]
			}
			return name, nil
		}
		return formatIntegerWith(iv, p.intFormat)
	case p.component == 'f':
		if p.intFormat == nil {
			return "", errv("D3133", "f")
		}
		return formatIntegerWith(v.(int), p.intFormat)
	case p.component == 'Z' || p.component == 'z':
		offset := offH*100 + offM
		var s string
		var err error
		if p.intFormat.regular {
			s, err = formatIntegerWith(offset, p.intFormat)
		} else {
			nd := p.intFormat.mandatoryDigits
			switch nd {
			case 1, 2:
				s, err = formatIntegerWith(offH, p.intFormat)
				if offM != 0 {
					f2, _ := analyzeIntegerPicture("00")
					m, _ := formatIntegerWith(offM, f2)
					s += ":" + m
				}
			case 3, 4:
				s, err = formatIntegerWith(offset, p.intFormat)
			default:
				return "", errv("D3134", float64(nd))
			}
		}
		if err != nil {
			return "", err
		}
		if offset >= 0 {
			s = "+" + s
		}
		if p.component == 'z' {
			s = "GMT" + s
		}
		if offset == 0 && p.presentation2 == "t" {
			s = "Z"
		}
		return s, nil
	case p.component == 'P':
		s := v.(string)
		if p.names == "upper" {
			s = strings.ToUpper(s)
		}
		return s, nil
	}
	if s, ok := v.(string); ok {
		return s, nil
	}
	return "", errv("D3132", string(p.component))
}

func fnFromMillis(e *evaluator, c *call, a []any) (any, error) {
	if a[0] == nil {
		return nil, nil
	}
	if f := a[0].(float64); math.IsNaN(f) || math.IsInf(f, 0) {
		return nil, errv("D1001", f)
	}
	var pic, tz *string
	if s, ok := a[1].(string); ok {
		pic = &s
	}
	if s, ok := a[2].(string); ok {
		tz = &s
	}
	return formatDateTime(a[0].(float64), pic, tz)
}

// intMatcher is a compiled integer picture for parsing.
type intMatcher struct {
	regex  string
	parse  func(string) (int, bool)
	parseF func(string) float64
}

func integerMatcher(f *intFormat) (*intMatcher, error) {
	upper := f.tcase == "upper"
	occ := "+"
	if f.n > 0 {
		if f.optionalDigits == 0 {
			occ = "{" + strconv.Itoa(f.n) + "}"
		} else {
			occ = "{" + strconv.Itoa(f.n-f.optionalDigits) + "," + strconv.Itoa(f.n) + "}"
		}
	}
	switch f.primary {
	case "letters":
		a := byte('a')
		re := "[a-z]+"
		if upper {
			a = 'A'
			re = "[A-Z]+"
		}
		return &intMatcher{regex: re, parse: func(s string) (int, bool) { return lettersToDecimal(s, a), true }}, nil
	case "roman":
		re := "[mdclxvi]+"
		if upper {
			re = "[MDCLXVI]+"
		}
		return &intMatcher{regex: re, parse: func(s string) (int, bool) { return romanToDecimal(strings.ToUpper(s)), true }}, nil
	case "words":
		return &intMatcher{regex: wordsRegex,
			parse:  func(s string) (int, bool) { return int(wordsToNumber(strings.ToLower(s))), true },
			parseF: func(s string) float64 { return wordsToNumber(strings.ToLower(s)) }}, nil
	case "decimal":
		re := "[0-9]" + occ
		if f.ordinal {
			re += "(?:th|st|nd|rd)"
		}
		return &intMatcher{regex: re, parse: func(s string) (int, bool) {
			digits := s
			if f.ordinal && len(digits) >= 2 {
				digits = digits[:len(digits)-2]
			}
			if f.regular {
				digits = strings.ReplaceAll(digits, ",", "")
			} else {
				for _, sep := range f.separators {
					digits = strings.ReplaceAll(digits, sep.character, "")
				}
			}
			if f.zeroCode != '0' {
				rs := []rune(digits)
				for i, r := range rs {
					rs[i] = r - f.zeroCode + '0'
				}
				digits = string(rs)
			}
			return parseLeadingInt(digits)
		}}, nil
	}
	return nil, errv("D3130", f.token)
}

func fnParseInteger(e *evaluator, c *call, a []any) (any, error) {
	if a[0] == nil || a[1] == nil {
		return nil, nil
	}
	f, err := analyzeIntegerPicture(a[1].(string))
	if err != nil {
		return nil, err
	}
	m, err := integerMatcher(f)
	if err != nil {
		return nil, err
	}
	if m.parseF != nil {
		return m.parseF(a[0].(string)), nil
	}
	v, ok := m.parse(a[0].(string))
	if !ok {
		return math.NaN(), nil
	}
	return float64(v), nil
}

type dtMatcher struct {
	regex     string
	component byte
	parse     func(string) (int, bool)
}

func fnToMillis(e *evaluator, c *call, a []any) (any, error) {
	if a[0] == nil {
		return nil, nil
	}
	ts := a[0].(string)
	if a[1] == nil {
		if !iso8601Regex.MatchString(ts) {
			return nil, errv("D3110", ts)
		}
		ms, ok := parseISO(ts)
		if !ok {
			return math.NaN(), nil
		}
		return float64(ms), nil
	}
	return parseDateTime(e, ts, a[1].(string))
}

var isoParts = regexp.MustCompile(`^(\d{4})(?:-(\d\d))?(?:-(\d\d))?(?:T(\d\d):(\d\d):(\d\d)(?:\.(\d+))?)?(Z|[+-]\d\d:?\d\d)?$`)

func parseISO(s string) (int64, bool) {
	m := isoParts.FindStringSubmatch(s)
	if m == nil {
		return 0, false
	}
	atoi := func(s string, def int) int {
		if s == "" {
			return def
		}
		n, _ := strconv.Atoi(s)
		return n
	}
	y, mo, d := atoi(m[1], 0), atoi(m[2], 1), atoi(m[3], 1)
	h, mi, sec := atoi(m[4], 0), atoi(m[5], 0), atoi(m[6], 0)
	ms := 0
	if m[7] != "" {
		frac := (m[7] + "000")[:3]
		ms = atoi(frac, 0)
	}
	if mo < 1 || mo > 12 || d < 1 || d > 31 || h > 24 || mi > 59 || sec > 59 {
		return 0, false
	}
	t := dateUTC(y, mo-1, d, h, mi, sec, ms)
	if z := m[8]; z != "" && z != "Z" {
		sign := int64(1)
		if z[0] == '-' {
			sign = -1
		}
		z = strings.ReplaceAll(z[1:], ":", "")
		oh, _ := strconv.Atoi(z[:2])
		om, _ := strconv.Atoi(z[2:])
		t -= sign * int64(oh*60+om) * 60000
	}
	return t, true
}

func parseDateTime(e *evaluator, ts, picture string) (any, error) {
	spec, err := analyzeDateTimePicture(picture)
	if err != nil {
		return nil, err
	}
	var parts []*dtMatcher
	for _, p := range spec {
		m := &dtMatcher{component: p.component}
		switch {
		case p.literal:
			m.regex = regexp.QuoteMeta(p.value)
		case p.component == 'Z' || p.component == 'z':
			var sep string
			hasSep := p.intFormat.regular
			if hasSep {
				sep = p.intFormat.regularSep.character
			}
			m.regex = ""
			if p.component == 'z' {
				m.regex = "GMT"
			}
			m.regex += "[-+][0-9]+"
			if hasSep {
				m.regex += regexp.QuoteMeta(sep) + "[0-9]+"
			}
			comp := p.component
			m.parse = func(v string) (int, bool) {
				if comp == 'z' {
					v = v[3:]
				}
				oh, om := 0, 0
				if hasSep {
					i := strings.Index(v, sep)
					oh, _ = parseLeadingSignedInt(v[:i])
					om, _ = parseLeadingSignedInt(v[i+1:])
				} else {
					nd := len(v) - 1
					if nd <= 2 {
						oh, _ = parseLeadingSignedInt(v)
					} else {
						oh, _ = parseLeadingSignedInt(v[:3])
						om, _ = parseLeadingSignedInt(v[3:])
					}
				}
				return oh*60 + om, true
			}
		case p.intFormat != nil:
			p.intFormat.n = p.n
			if strings.IndexByte("YMD", p.component) < 0 {
				if w := p.intFormat.mandatoryDigits + p.intFormat.optionalDigits; w >= 2 && p.intFormat.primary == "decimal" {
					p.intFormat.n = w
				}
			}
			im, err := integerMatcher(p.intFormat)
			if err != nil {
				return nil, err
			}
			m.regex, m.parse = im.regex, im.parse
			if p.component == 'f' {
				// fractional seconds: the digits are a fraction, keep milliseconds
				m.parse = func(v string) (int, bool) {
					if len(v) > 3 {
						v = v[:3]
					}
					return parseLeadingInt(v)
				}
			}
		default:
			m.regex = "[a-zA-Z]+"
			lookup := map[string]int{}
			switch p.component {
			case 'M', 'x':
				for i, name := range monthNames {
					if p.hasWidth && p.widthMax > 0 {
						name = name[:min(p.widthMax, len(name))]
					}
					lookup[name] = i + 1
				}
			case 'F':
				for i, name := range dayNames {
					if i == 0 {
						continue
					}
					if p.hasWidth && p.widthMax > 0 {
						name = name[:min(p.widthMax, len(name))]
					}
					lookup[name] = i
				}
			case 'P':
				lookup = map[string]int{"am": 0, "AM": 0, "pm": 1, "PM": 1}
			default:
				return nil, errv("D3133", string(p.component))
			}
			m.parse = func(v string) (int, bool) {
				n, ok := lookup[v]
				return n, ok
			}
		}
		parts = append(parts, m)
	}
	var full strings.Builder
	full.WriteString("(?i)^")
	for _, p := range parts {
		full.WriteString("(" + p.regex + ")")
	}
	full.WriteString("$")
	re, err := regexp.Compile(full.String())
	if err != nil {
		return nil, errv("D3132", picture)
	}
	info := re.FindStringSubmatch(ts)
	if info == nil {
		return nil, nil
	}
	comps := map[byte]int{}
	has := map[byte]bool{}
	for i := 1; i < len(info); i++ {
		p := parts[i-1]
		if p.parse != nil {
			v, ok := p.parse(info[i])
			if ok {
				comps[p.component] = v
				has[p.component] = true
			} else {
				has[p.component] = false
			}
		}
	}
	if len(has) == 0 {
		return nil, nil
	}
	mask := 0
	shift := func(c byte) {
		mask <<= 1
		if has[c] && comps[c] != 0 {
			mask++
		}
	}
	isType := func(t int) bool { return ^t&mask == 0 && t&mask != 0 }
	for _, c := range []byte("YXMxWwdD") {
		shift(c)
	}
	dateA := isType(161)
	dateB := !dateA && isType(130)
	dateC := isType(84)
	dateD := !dateC && isType(72)
	mask = 0
	for _, c := range []byte("PHhmsf") {
		shift(c)
	}
	timeA := isType(23)
	timeB := !timeA && isType(47)
	dateComps := "YMD"
	switch {
	case dateB:
		dateComps = "YD"
	case dateC:
		dateComps = "XxwF"
	case dateD:
		dateComps = "XWF"
	}
	timeComps := "Hmsf"
	if timeB {
		timeComps = "Phmsf"
	}
	now := e.timestamp().UTC()
	startSpecified, endSpecified := false, false
	for _, c := range []byte(dateComps + timeComps) {
		if !has[c] {
			if startSpecified {
				if strings.IndexByte("MDd", c) >= 0 {
					comps[c] = 1
				} else {
					comps[c] = 0
				}
				endSpecified = true
			} else {
				if v, ok := fragment(now, c).(int); ok {
					comps[c] = v
				}
			}
		} else {
			startSpecified = true
			if endSpecified {
				return nil, newErr("D3136")
			}
		}
	}
	if comps['M'] > 0 {
		comps['M']--
	} else {
		comps['M'] = 0
	}
	if dateB {
		first := dateUTC(comps['Y'], 0)
		derived := time.UnixMilli(first + int64(comps['d']-1)*millisInADay).UTC()
		comps['M'] = int(derived.Month()) - 1
		comps['D'] = derived.Day()
	}
	if dateC || dateD {
		return nil, newErr("D3136")
	}
	if timeB {
		h := comps['h']
		if h == 12 {
			h = 0
		}
		if comps['P'] == 1 {
			h += 12
		}
		comps['H'] = h
	}
	ms := dateUTC(comps['Y'], comps['M'], comps['D'], comps['H'], comps['m'], comps['s'], comps['f'])
	if z := comps['Z']; z != 0 {
		ms -= int64(z) * 60000
	} else if z := comps['z']; z != 0 {
		ms -= int64(z) * 60000
	}
	return float64(ms), nil
}
