package jsonv

import (
	"encoding/json"
	"math/big"
)

// Equal reports whether a and b are the same JSON value. Objects compare
// without regard to key order; numbers compare by exact value, so 1, 1.0 and
// 1e0 are equal.
func Equal(a, b any) bool {
	switch x := a.(type) {
	case nil:
		return b == nil
	case bool:
		y, ok := b.(bool)
		return ok && x == y
	case string:
		y, ok := b.(string)
		return ok && x == y
	case []any:
		y, ok := b.([]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for i := range x {
			if !Equal(x[i], y[i]) {
				return false
			}
		}
		return true
	case *Object:
		y, ok := b.(*Object)
		if !ok || x.Len() != y.Len() {
			return false
		}
		for _, m := range x.Members() {
			v, ok := y.Get(m.Key)
			if !ok || !Equal(m.Value, v) {
				return false
			}
		}
		return true
	}
	if TypeName(a) == "number" && TypeName(b) == "number" {
		return CompareNumbers(a, b) == 0
	}
	return false
}

// CompareNumbers compares two numbers exactly and returns -1, 0 or +1.
// Anything that is not a number compares as zero.
func CompareNumbers(a, b any) int {
	if x, ok := a.(json.Number); ok {
		if y, ok := b.(json.Number); ok && x == y {
			return 0
		}
	}
	ra, rb := toRat(a), toRat(b)
	if ra == nil || rb == nil {
		fa, _ := Float(a)
		fb, _ := Float(b)
		switch {
		case fa < fb:
			return -1
		case fa > fb:
			return 1
		}
		return 0
	}
	return ra.Cmp(rb)
}

func toRat(v any) *big.Rat {
	switch n := v.(type) {
	case json.Number:
		if i, ok := Int(n); ok && string(n) == string(Number(i)) {
			return new(big.Rat).SetInt64(i)
		}
		r, ok := new(big.Rat).SetString(string(n))
		if !ok {
			return nil
		}
		return r
	case float64:
		return new(big.Rat).SetFloat64(n)
	case int:
		return new(big.Rat).SetInt64(int64(n))
	case int64:
		return new(big.Rat).SetInt64(n)
	}
	return nil
}
