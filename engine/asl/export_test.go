package asl

// AnalysedStates reports how many top-level states the ParseValueFrom call
// that returned a analysed rather than reused.
func AnalysedStates(a *Analysis) int { return a.analysed }
