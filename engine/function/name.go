package function

import (
	"fmt"
	"regexp"
	"strings"
)

// Name is a parsed Lambda function name: the bare name plus what the
// caller spelled (region, account, qualifier).
type Name struct {
	Region, Account string
	Name            string
	Qualifier       string // version number, alias or "$LATEST"; "" when absent
}

var (
	fnNameRE    = regexp.MustCompile(`^[A-Za-z0-9_\-]{1,140}$`)
	qualifierRE = regexp.MustCompile(`^(\$LATEST|[A-Za-z0-9_\-]{1,128})$`)
)

// ParseName parses a FunctionName in any form Lambda accepts: "name",
// "name:qualifier", "account:function:name[:qualifier]" and
// "arn:<partition>:lambda:<region>:<account>:function:name[:qualifier]".
func ParseName(s string) (Name, error) {
	bad := func() (Name, error) {
		return Name{}, fmt.Errorf("FunctionName %q is not a function name, a partial ARN (<account>:function:<name>) or a function ARN (arn:aws:lambda:<region>:<account>:function:<name>), each with an optional :<version or alias>", s)
	}
	parts := strings.Split(s, ":")
	var n Name
	switch {
	case len(parts) >= 7 && parts[0] == "arn":
		if len(parts) > 8 || parts[1] == "" || parts[2] != "lambda" || parts[5] != "function" {
			return bad()
		}
		n = Name{Region: parts[3], Account: parts[4], Name: parts[6]}
		if len(parts) == 8 {
			n.Qualifier = parts[7]
		}
	case len(parts) >= 3 && parts[1] == "function":
		if len(parts) > 4 {
			return bad()
		}
		n = Name{Account: parts[0], Name: parts[2]}
		if len(parts) == 4 {
			n.Qualifier = parts[3]
		}
	case len(parts) <= 2:
		n = Name{Name: parts[0]}
		if len(parts) == 2 {
			n.Qualifier = parts[1]
		}
	default:
		return bad()
	}
	if !fnNameRE.MatchString(n.Name) || (n.Account != "" && !isDigits(n.Account, 12)) {
		return bad()
	}
	if len(parts) == 8 || (len(parts) == 4 && parts[1] == "function") || (len(parts) == 2) {
		if !qualifierRE.MatchString(n.Qualifier) {
			return bad()
		}
	}
	return n, nil
}

func isDigits(s string, n int) bool {
	if len(s) != n {
		return false
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// ARN formats the function's ARN with region and account filled from the
// defaults where the name did not carry them.
func (n Name) ARN(region, account string) string {
	if n.Region != "" {
		region = n.Region
	}
	if n.Account != "" {
		account = n.Account
	}
	s := "arn:aws:lambda:" + region + ":" + account + ":function:" + n.Name
	if n.Qualifier != "" {
		s += ":" + n.Qualifier
	}
	return s
}

// String is the name as Lambda would echo it back: the shortest full form.
func (n Name) String() string {
	if n.Qualifier != "" {
		return n.Name + ":" + n.Qualifier
	}
	return n.Name
}
