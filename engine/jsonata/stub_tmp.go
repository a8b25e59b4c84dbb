package jsonata

func fnFormatNumber(e *evaluator, c *call, a []any) (any, error)  { return nil, newErr("XSTUB") }
func fnFormatInteger(e *evaluator, c *call, a []any) (any, error) { return nil, newErr("XSTUB") }
func fnParseInteger(e *evaluator, c *call, a []any) (any, error)  { return nil, newErr("XSTUB") }
func fnToMillis(e *evaluator, c *call, a []any) (any, error)      { return nil, newErr("XSTUB") }
func fnFromMillis(e *evaluator, c *call, a []any) (any, error)    { return nil, newErr("XSTUB") }
func decodeRune(s string) (rune, int)                             { return utf8DecodeRune(s) }
