package server

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// ARN is a parsed Step Functions ARN:
// arn:<partition>:states:<region>:<account>:<resource type>:<parts...>.
type ARN struct {
	Partition string
	Region    string
	Account   string
	Type      string   // stateMachine, execution, express, activity, mapRun
	Parts     []string // the colon-separated fields after the type
}

// String formats the ARN back to text.
func (a ARN) String() string {
	return "arn:" + a.Partition + ":states:" + a.Region + ":" + a.Account + ":" + a.Type + ":" + strings.Join(a.Parts, ":")
}

// ParseARN parses a Step Functions ARN and checks that its resource type is
// one of want. It returns an *Error with code InvalidArn naming the problem.
func ParseARN(s string, want ...string) (ARN, error) {
	a, err := parseARN(s, want...)
	if err != nil {
		return ARN{}, err
	}
	return a, nil
}

// parseARN is ParseARN with the concrete error type.
func parseARN(s string, want ...string) (ARN, *Error) {
	bad := func(format string, args ...any) (ARN, *Error) {
		return ARN{}, &Error{Code: ErrInvalidArn, Message: "Invalid Arn: '" + fmt.Sprintf(format, args...) + "'"}
	}
	if !utf8.ValidString(s) {
		return bad("Invalid ARN prefix: ARN is not valid UTF-8")
	}
	f := strings.Split(s, ":")
	if len(f) < 7 || f[0] != "arn" {
		return bad("Invalid ARN prefix: %s", truncate(s, 256))
	}
	switch f[1] {
	case "aws", "aws-cn", "aws-us-gov", "aws-iso", "aws-iso-b":
	default:
		return bad("Invalid ARN partition: %s", truncate(f[1], 64))
	}
	if f[2] != "states" {
		return bad("Invalid ARN service: %s", truncate(f[2], 64))
	}
	if !validRegion(f[3]) {
		return bad("Invalid ARN region: %s", truncate(f[3], 64))
	}
	if !validAccount(f[4]) {
		return bad("Invalid ARN account: %s", truncate(f[4], 64))
	}
	a := ARN{Partition: f[1], Region: f[3], Account: f[4], Type: f[5], Parts: f[6:]}
	var min, max int
	switch a.Type {
	case "stateMachine":
		min, max = 1, 2 // name[:version-or-alias]
	case "execution":
		min, max = 2, 3
	case "express":
		min, max = 3, 3
	case "activity":
		min, max = 1, 1
	case "mapRun":
		min, max = 2, 2
	default:
		return bad("Invalid resource type: %s", truncate(a.Type, 64))
	}
	if len(want) > 0 && !contains(want, a.Type) {
		return bad("Resource type not valid in this context: %s", a.Type)
	}
	if len(a.Parts) < min || len(a.Parts) > max {
		return bad("Invalid ARN resource: %s", truncate(strings.Join(a.Parts, ":"), 256))
	}
	for _, p := range a.Parts {
		if p == "" {
			return bad("Invalid ARN resource: empty name in %s", truncate(s, 256))
		}
	}
	return a, nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func validRegion(s string) bool {
	if s == "" || len(s) > 32 {
		return false
	}
	for _, r := range s {
		if (r < 'a' || r > 'z') && (r < '0' || r > '9') && r != '-' {
			return false
		}
	}
	return true
}

func validAccount(s string) bool {
	if len(s) != 12 {
		return false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// ValidName reports whether s is a valid Step Functions resource name:
// 1 to 80 characters, none of them white space, brackets < > { } [ ],
// wildcards ? *, the characters " # % \ ^ | ~ ` $ & , ; : / or control
// characters (U+0000–U+001F, U+007F–U+009F).
func ValidName(s string) bool {
	if s == "" || !utf8.ValidString(s) || utf8.RuneCountInString(s) > 80 {
		return false
	}
	for _, r := range s {
		if unicode.IsSpace(r) || r <= 0x1f || (r >= 0x7f && r <= 0x9f) {
			return false
		}
		if strings.ContainsRune("<>{}[]?*\"#%\\^|~`$&,;:/", r) {
			return false
		}
	}
	return true
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "..."
}
