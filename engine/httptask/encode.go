package httptask

import (
	"fmt"
	"net/url"
	"sort"
	"strings"

	"stepwise/engine/jsonv"
)

// ArrayFormat is how URL_ENCODED bodies spell arrays (AWS's
// RequestEncodingOptions.ArrayFormat, after the qs library).
type ArrayFormat string

// The array formats: a=[x,y] as a[]=x&a[]=y, a=x,y, a=x&a=y, a[0]=x&a[1]=y.
const (
	ArrayBrackets ArrayFormat = "BRACKETS"
	ArrayCommas   ArrayFormat = "COMMAS"
	ArrayRepeat   ArrayFormat = "REPEAT"
	ArrayIndices  ArrayFormat = "INDICES"
)

// URLEncode encodes a JSON object as application/x-www-form-urlencoded,
// nested objects as a[b]=c and arrays in format f, keys in document order.
func URLEncode(v any, f ArrayFormat) (string, error) {
	o, ok := v.(*jsonv.Object)
	if !ok {
		return "", fmt.Errorf("URL_ENCODED RequestBody must be an object, not %s", jsonv.TypeName(v))
	}
	var pairs []string
	for _, m := range o.Members() {
		if err := encodeValue(&pairs, m.Key, m.Value, f); err != nil {
			return "", err
		}
	}
	return strings.Join(pairs, "&"), nil
}

func encodeValue(pairs *[]string, key string, v any, f ArrayFormat) error {
	switch x := v.(type) {
	case *jsonv.Object:
		for _, m := range x.Members() {
			if err := encodeValue(pairs, key+"["+m.Key+"]", m.Value, f); err != nil {
				return err
			}
		}
	case []any:
		if f == ArrayCommas {
			parts := make([]string, 0, len(x))
			for _, e := range x {
				s, err := scalar(e)
				if err != nil {
					return fmt.Errorf("%s: %w", key, err)
				}
				parts = append(parts, s)
			}
			*pairs = append(*pairs, url.QueryEscape(key)+"="+url.QueryEscape(strings.Join(parts, ",")))
			return nil
		}
		for i, e := range x {
			k := key
			switch f {
			case ArrayBrackets:
				k = key + "[]"
			case ArrayRepeat:
			default:
				k = fmt.Sprintf("%s[%d]", key, i)
			}
			if err := encodeValue(pairs, k, e, f); err != nil {
				return err
			}
		}
	default:
		s, err := scalar(v)
		if err != nil {
			return fmt.Errorf("%s: %w", key, err)
		}
		*pairs = append(*pairs, url.QueryEscape(key)+"="+url.QueryEscape(s))
	}
	return nil
}

func scalar(v any) (string, error) {
	switch x := v.(type) {
	case nil:
		return "", nil
	case string:
		return x, nil
	case bool, interface{ String() string }:
		return jsonv.String(x), nil
	}
	return "", fmt.Errorf("cannot URL-encode %s inside an array with COMMAS", jsonv.TypeName(v))
}

// queryValues turns QueryParameters (an object of strings, numbers, bools
// or arrays of them) into URL values.
func queryValues(v any) (url.Values, error) {
	out := url.Values{}
	if v == nil {
		return out, nil
	}
	o, ok := v.(*jsonv.Object)
	if !ok {
		return nil, fmt.Errorf("QueryParameters must be an object, not %s", jsonv.TypeName(v))
	}
	for _, m := range o.Members() {
		vals := []any{m.Value}
		if arr, ok := m.Value.([]any); ok {
			vals = arr
		}
		for _, e := range vals {
			s, err := scalarString(e)
			if err != nil {
				return nil, fmt.Errorf("QueryParameters.%s: %w", m.Key, err)
			}
			out.Add(m.Key, s)
		}
	}
	return out, nil
}

// headerValues turns Headers into name → values, names sorted for
// deterministic requests.
func headerValues(v any) ([][2]string, error) {
	if v == nil {
		return nil, nil
	}
	o, ok := v.(*jsonv.Object)
	if !ok {
		return nil, fmt.Errorf("headers must be an object, not %s", jsonv.TypeName(v))
	}
	var out [][2]string
	for _, m := range o.Members() {
		s, err := scalarString(m.Value)
		if err != nil {
			return nil, fmt.Errorf("headers.%s: %w", m.Key, err)
		}
		out = append(out, [2]string{m.Key, s})
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i][0] < out[j][0] })
	return out, nil
}

func scalarString(v any) (string, error) {
	switch x := v.(type) {
	case *jsonv.Object, []any:
		return "", fmt.Errorf("must be a string, number or boolean, not %s", jsonv.TypeName(v))
	case string:
		return x, nil
	case nil:
		return "", nil
	}
	return jsonv.String(v), nil
}
