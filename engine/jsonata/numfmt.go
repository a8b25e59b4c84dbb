package jsonata

import (
	"math"
	"strconv"
	"strings"
)

type numPicParts struct {
	prefix, suffix, active, mantissa, exponent, integer, fractional, sub []rune
	hasExponent                                                          bool
}

type numPicVars struct {
	intGroupPositions  []int
	regularGrouping    int
	minIntSize         int
	scalingFactor      int
	prefix             []rune
	fracGroupPositions []int
	minFracSize        int
	maxFracSize        int
	minExpSize         int
	suffix             []rune
	picture            []rune
}

func runeIndex(s []rune, r rune) int {
	for i, c := range s {
		if c == r {
			return i
		}
	}
	return -1
}

func runeIndexFrom(s []rune, r rune, from int) int {
	for i := max(from, 0); i < len(s); i++ {
		if s[i] == r {
			return i
		}
	}
	return -1
}

func runeLastIndex(s []rune, r rune) int {
	for i := len(s) - 1; i >= 0; i-- {
		if s[i] == r {
			return i
		}
	}
	return -1
}

func fnFormatNumber(e *evaluator, c *call, a []any) (any, error) {
	if a[0] == nil {
		return nil, nil
	}
	value := a[0].(float64)
	if a[1] == nil {
		return nil, nil
	}
	props := map[string]string{
		"decimal-separator": ".", "grouping-separator": ",", "exponent-separator": "e",
		"infinity": "Infinity", "minus-sign": "-", "NaN": "NaN", "percent": "%",
		"per-mille": "\u2030", "zero-digit": "0", "digit": "#", "pattern-separator": ";",
	}
	if o, ok := a[2].(*object); ok {
		for _, k := range o.keys {
			if s, ok := o.at(k).(string); ok {
				props[k] = s
			}
		}
	}
	first := func(k string) rune {
		for _, r := range props[k] {
			return r
		}
		return 0
	}
	zero := first("zero-digit")
	decSep, grpSep, expSep := first("decimal-separator"), first("grouping-separator"), first("exponent-separator")
	digit, patSep, percent, permille := first("digit"), first("pattern-separator"), first("percent"), first("per-mille")
	isDigit := func(r rune) bool { return r >= zero && r < zero+10 }
	isActive := func(r rune) bool {
		return isDigit(r) || r == decSep || r == expSep || r == grpSep || r == digit || r == patSep
	}
	picture := []rune(a[1].(string))
	var subs [][]rune
	startSub := 0
	for i, r := range picture {
		if r == patSep {
			subs = append(subs, picture[startSub:i])
			startSub = i + 1
		}
	}
	subs = append(subs, picture[startSub:])
	if len(subs) > 2 {
		return nil, newErr("D3080")
	}
	split := func(sp []rune) *numPicParts {
		p := &numPicParts{sub: sp}
		pre := 0
		for i, r := range sp {
			if isActive(r) && r != expSep {
				pre = i
				break
			}
		}
		p.prefix = sp[:pre]
		suf := len(sp)
		for i := len(sp) - 1; i >= 0; i-- {
			if isActive(sp[i]) && sp[i] != expSep {
				suf = i + 1
				break
			}
		}
		if suf < pre {
			suf = pre
		}
		p.suffix = sp[suf:]
		p.active = sp[pre:suf]
		expPos := runeIndexFrom(sp, expSep, pre)
		if expPos == -1 || expPos > len(sp)-len(p.suffix) {
			p.mantissa = p.active
		} else {
			// jsonata-js indexes activePart with the subpicture position
			ep := min(expPos, len(p.active))
			p.mantissa = p.active[:ep]
			p.exponent = p.active[min(ep+1, len(p.active)):]
			p.hasExponent = true
		}
		dp := runeIndex(p.mantissa, decSep)
		if dp == -1 {
			p.integer = p.mantissa
			p.fractional = p.suffix
		} else {
			p.integer = p.mantissa[:dp]
			p.fractional = p.mantissa[dp+1:]
		}
		return p
	}
	count := func(s []rune, f func(rune) bool) int {
		n := 0
		for _, r := range s {
			if f(r) {
				n++
			}
		}
		return n
	}
	validate := func(p *numPicParts) error {
		var code string
		sp := p.sub
		decPos := runeIndex(sp, decSep)
		if decPos != runeLastIndex(sp, decSep) {
			code = "D3081"
		}
		if runeIndex(sp, percent) != runeLastIndex(sp, percent) {
			code = "D3082"
		}
		if runeIndex(sp, permille) != runeLastIndex(sp, permille) {
			code = "D3083"
		}
		if runeIndex(sp, percent) != -1 && runeIndex(sp, permille) != -1 {
			code = "D3084"
		}
		if count(p.mantissa, func(r rune) bool { return isDigit(r) || r == digit }) == 0 {
			code = "D3085"
		}
		if count(p.active, func(r rune) bool { return !isActive(r) }) > 0 {
			code = "D3086"
		}
		if decPos != -1 {
			if decPos > 0 && sp[decPos-1] == grpSep || decPos+1 < len(sp) && sp[decPos+1] == grpSep {
				code = "D3087"
			}
		} else if len(p.integer) > 0 && p.integer[len(p.integer)-1] == grpSep {
			code = "D3088"
		}
		if strings.Contains(string(sp), string([]rune{grpSep, grpSep})) {
			code = "D3089"
		}
		if odp := runeIndex(p.integer, digit); odp != -1 && count(p.integer[:odp], isDigit) > 0 {
			code = "D3090"
		}
		if odp := runeLastIndex(p.fractional, digit); odp != -1 && count(p.fractional[odp:], isDigit) > 0 {
			code = "D3091"
		}
		if p.hasExponent && len(p.exponent) > 0 && (runeIndex(sp, percent) != -1 || runeIndex(sp, permille) != -1) {
			code = "D3092"
		}
		if p.hasExponent && (len(p.exponent) == 0 || count(p.exponent, func(r rune) bool { return !isDigit(r) }) > 0) {
			code = "D3093"
		}
		if code != "" {
			return newErr(code)
		}
		return nil
	}
	groupPositions := func(part []rune, toLeft bool, integer []rune) []int {
		var pos []int
		gp := runeIndex(part, grpSep)
		for gp != -1 {
			var seg []rune
			if toLeft {
				seg = part[:gp]
			} else {
				seg = part[gp:]
			}
			pos = append(pos, count(seg, func(r rune) bool { return isDigit(r) || r == digit }))
			gp = runeIndexFrom(integer, grpSep, gp+1)
		}
		return pos
	}
	analyze := func(p *numPicParts) *numPicVars {
		v := &numPicVars{prefix: p.prefix, suffix: p.suffix, picture: p.sub}
		v.intGroupPositions = groupPositions(p.integer, false, p.integer)
		v.regularGrouping = regularInts(v.intGroupPositions)
		v.fracGroupPositions = groupPositions(p.fractional, true, p.integer)
		v.minIntSize = count(p.integer, isDigit)
		v.scalingFactor = v.minIntSize
		v.minFracSize = count(p.fractional, isDigit)
		v.maxFracSize = count(p.fractional, func(r rune) bool { return isDigit(r) || r == digit })
		if v.minIntSize == 0 && v.maxFracSize == 0 {
			if p.hasExponent {
				v.minFracSize = 1
				v.maxFracSize = 1
			} else {
				v.minIntSize = 1
			}
		}
		if p.hasExponent && v.minIntSize == 0 && runeIndex(p.integer, digit) != -1 {
			v.minIntSize = 1
		}
		if v.minIntSize == 0 && v.minFracSize == 0 {
			v.minFracSize = 1
		}
		if p.hasExponent {
			v.minExpSize = count(p.exponent, isDigit)
		}
		return v
	}
	var vars []*numPicVars
	for _, sp := range subs {
		p := split(sp)
		if err := validate(p); err != nil {
			return nil, err
		}
		vars = append(vars, analyze(p))
	}
	minus := props["minus-sign"]
	if len(vars) == 1 {
		v2 := *vars[0]
		v2.prefix = append([]rune(minus), vars[0].prefix...)
		vars = append(vars, &v2)
	}
	pic := vars[0]
	if value < 0 {
		pic = vars[1]
	}
	adjusted := value
	if runeIndex(pic.picture, percent) != -1 {
		adjusted = value * 100
	} else if runeIndex(pic.picture, permille) != -1 {
		adjusted = value * 1000
	}
	mantissa := adjusted
	hasExp := false
	exponent := 0
	if pic.minExpSize != 0 {
		hasExp = true
		maxM := math.Pow(10, float64(pic.scalingFactor))
		minM := math.Pow(10, float64(pic.scalingFactor-1))
		for i := 0; mantissa != 0 && math.Abs(mantissa) < minM && i < 400; i++ {
			mantissa *= 10
			exponent--
		}
		for i := 0; math.Abs(mantissa) > maxM && i < 400; i++ {
			mantissa /= 10
			exponent++
		}
	}
	rounded := jsRound(mantissa, pic.maxFracSize)
	makeString := func(v float64, dp int) []rune {
		s := []rune(strconv.FormatFloat(math.Abs(v), 'f', dp, 64))
		if zero != '0' {
			for i, r := range s {
				if r >= '0' && r <= '9' {
					s[i] = zero + (r - '0')
				}
			}
		}
		return s
	}
	sv := makeString(rounded, pic.maxFracSize)
	if dp := runeIndex(sv, '.'); dp == -1 {
		sv = append(sv, decSep)
	} else {
		sv[dp] = decSep
	}
	for len(sv) > 0 && sv[0] == zero {
		sv = sv[1:]
	}
	for len(sv) > 0 && sv[len(sv)-1] == zero {
		sv = sv[:len(sv)-1]
	}
	decPos := runeIndex(sv, decSep)
	padLeft := pic.minIntSize - decPos
	padRight := pic.minFracSize - (len(sv) - decPos - 1)
	if padLeft > 0 {
		sv = append([]rune(strings.Repeat(string(zero), padLeft)), sv...)
	}
	if padRight > 0 {
		sv = append(sv, []rune(strings.Repeat(string(zero), padRight))...)
	}
	insert := func(s []rune, at int, r rune) []rune {
		at = max(0, min(at, len(s)))
		out := make([]rune, 0, len(s)+1)
		out = append(out, s[:at]...)
		out = append(out, r)
		return append(out, s[at:]...)
	}
	decPos = runeIndex(sv, decSep)
	if pic.regularGrouping > 0 {
		groups := (decPos - 1) / pic.regularGrouping
		for g := 1; g <= groups; g++ {
			sv = insert(sv, decPos-g*pic.regularGrouping, grpSep)
		}
	} else {
		for _, pos := range pic.intGroupPositions {
			sv = insert(sv, decPos-pos, grpSep)
			decPos++
		}
	}
	decPos = runeIndex(sv, decSep)
	for _, pos := range pic.fracGroupPositions {
		sv = insert(sv, pos+decPos+1, grpSep)
	}
	decPos = runeIndex(sv, decSep)
	if runeIndex(pic.picture, decSep) == -1 || decPos == len(sv)-1 {
		sv = sv[:len(sv)-1]
	}
	out := string(sv)
	if hasExp {
		se := makeString(float64(exponent), 0)
		if pl := pic.minExpSize - len(se); pl > 0 {
			se = append([]rune(strings.Repeat(string(zero), pl)), se...)
		}
		sign := ""
		if exponent < 0 {
			sign = minus
		}
		out += props["exponent-separator"] + sign + string(se)
	}
	return string(pic.prefix) + out + string(pic.suffix), nil
}

func regularInts(idx []int) int {
	if len(idx) == 0 {
		return 0
	}
	gcd := func(a, b int) int {
		for b != 0 {
			a, b = b, a%b
		}
		return a
	}
	f := idx[0]
	for _, x := range idx[1:] {
		f = gcd(f, x)
	}
	if f == 0 {
		return 0
	}
	for i := 1; i <= len(idx); i++ {
		found := false
		for _, x := range idx {
			if x == i*f {
				found = true
			}
		}
		if !found {
			return 0
		}
	}
	return f
}
