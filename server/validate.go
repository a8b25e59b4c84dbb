package server

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
)

// validator collects request problems the way AWS reports them: Smithy
// constraint violations first, all together as one ValidationException
// ("2 validation errors detected: ...; ..."), then the first service-level
// problem (InvalidArn, InvalidName, ...).
type validator struct {
	constraints []string
	specific    *Error
}

func (v *validator) err() error {
	if n := len(v.constraints); n > 0 {
		noun := "errors"
		if n == 1 {
			noun = "error"
		}
		return &Error{Code: ErrValidation, Message: fmt.Sprintf("%d validation %s detected: %s", n, noun, strings.Join(v.constraints, "; "))}
	}
	if v.specific != nil {
		return v.specific
	}
	return nil
}

func (v *validator) fail(e *Error) {
	if v.specific == nil {
		v.specific = e
	}
}

func quoteValue(s string) string {
	return "'" + truncate(s, 128) + "'"
}

func (v *validator) constraint(value, field, rule string) {
	v.constraints = append(v.constraints, fmt.Sprintf("Value %s at '%s' failed to satisfy constraint: %s", value, field, rule))
}

// required checks that a field is present.
func (v *validator) required(field string, present bool) {
	if !present {
		v.constraint("null", field, "Member must not be null")
	}
}

// str checks an optional string's length in characters; min applies only
// when the field is present.
func (v *validator) str(field string, s *string, min, max int) {
	if s == nil {
		return
	}
	n := utf8.RuneCountInString(*s)
	switch {
	case n < min:
		v.constraint(quoteValue(*s), field, fmt.Sprintf("Member must have length greater than or equal to %d", min))
	case n > max:
		v.constraint(quoteValue(*s), field, fmt.Sprintf("Member must have length less than or equal to %d", max))
	}
}

// reqStr checks a required string field.
func (v *validator) reqStr(field string, s *string, min, max int) {
	v.required(field, s != nil)
	v.str(field, s, min, max)
}

// payload checks a JSON payload's size in bytes (AWS's 262,144-byte limit).
func (v *validator) payload(field string, s *string, max int) {
	if s != nil && len(*s) > max {
		v.constraint("'<"+strconv.Itoa(len(*s))+" bytes>'", field, fmt.Sprintf("Member must have length less than or equal to %d", max))
	}
}

func (v *validator) enum(field string, s *string, values ...string) {
	if s == nil || contains(values, *s) {
		return
	}
	v.constraint(quoteValue(*s), field, "Member must satisfy enum value set: ["+strings.Join(values, ", ")+"]")
}

func (v *validator) intRange(field string, n *int32, min, max int32) {
	if n == nil {
		return
	}
	if *n < min {
		v.constraint(strconv.Itoa(int(*n)), field, fmt.Sprintf("Member must have value greater than or equal to %d", min))
	} else if *n > max {
		v.constraint(strconv.Itoa(int(*n)), field, fmt.Sprintf("Member must have value less than or equal to %d", max))
	}
}

func (v *validator) page(maxResults *int32, nextToken *string, tokenMax int) {
	v.intRange("maxResults", maxResults, 0, 1000)
	v.str("nextToken", nextToken, 1, tokenMax)
}

// arn checks an ARN field's shape and resource type.
func (v *validator) arn(s *string, types ...string) {
	if s == nil {
		return
	}
	if _, err := parseARN(*s, types...); err != nil {
		v.fail(err)
	}
}

// name checks a resource name against AWS's character rules.
func (v *validator) name(s *string) {
	if s != nil && !ValidName(*s) {
		v.fail(&Error{Code: ErrInvalidName, Message: "Invalid Name: " + quoteValue(*s)})
	}
}

// jsonText checks that a payload is one JSON value.
func (v *validator) jsonText(s *string, code, what string) {
	if s == nil {
		return
	}
	if !json.Valid([]byte(*s)) {
		v.fail(&Error{Code: code, Message: what + ": " + quoteValue(*s) + " is not valid JSON"})
	}
}

func (v *validator) tags(field string, tags []Tag) {
	for i, t := range tags {
		f := fmt.Sprintf("%s.%d.member", field, i+1)
		v.reqStr(f+".key", t.Key, 1, 128)
		v.str(f+".value", t.Value, 0, 256)
	}
}

func (v *validator) logging(l *LoggingConfiguration) {
	if l == nil {
		return
	}
	v.enum("loggingConfiguration.level", l.Level, "ALL", "ERROR", "FATAL", "OFF")
	if len(l.Destinations) > 1 {
		v.constraint(strconv.Itoa(len(l.Destinations)), "loggingConfiguration.destinations", "Member must have length less than or equal to 1")
	}
}

func (v *validator) encryption(e *EncryptionConfiguration) {
	if e == nil {
		return
	}
	v.required("encryptionConfiguration.type", e.Type != nil)
	v.enum("encryptionConfiguration.type", e.Type, "AWS_OWNED_KEY", "CUSTOMER_MANAGED_KMS_KEY")
	v.str("encryptionConfiguration.kmsKeyId", e.KmsKeyID, 1, 2048)
	if e.KmsDataKeyReusePeriodSeconds != nil && (*e.KmsDataKeyReusePeriodSeconds < 60 || *e.KmsDataKeyReusePeriodSeconds > 900) {
		v.constraint(strconv.FormatInt(*e.KmsDataKeyReusePeriodSeconds, 10), "encryptionConfiguration.kmsDataKeyReusePeriodSeconds", "Member must have value between 60 and 900")
	}
}

// roleArn checks an IAM role ARN loosely: Stepwise does not use IAM, but a
// value that is not an ARN at all is refused as AWS does.
func (v *validator) roleArn(s *string) {
	if s == nil {
		return
	}
	f := strings.SplitN(*s, ":", 6)
	if len(f) < 6 || f[0] != "arn" || f[2] != "iam" {
		v.fail(&Error{Code: ErrInvalidArn, Message: "Invalid Arn: 'Invalid ARN prefix: " + truncate(*s, 256) + "'"})
	}
}

func validAliasName(s string) bool {
	letter := false
	for _, r := range s {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r == '_', r == '-', r == '.':
			letter = true
		case r >= '0' && r <= '9':
		default:
			return false
		}
	}
	return letter
}
