package server

import (
	"errors"
	"fmt"
	"net/http"
	"reflect"
	"time"
)

var timestampType = reflect.TypeOf(time.Time{})

// AWS error names the API layer itself produces. The engine may return any
// other AWS error name through *Error or AWSError.
const (
	ErrValidation               = "ValidationException"
	ErrSerialization            = "SerializationException"
	ErrUnknownOperation         = "UnknownOperationException"
	ErrUnsupportedOperation     = "UnsupportedOperation"
	ErrInvalidArn               = "InvalidArn"
	ErrInvalidName              = "InvalidName"
	ErrInvalidDefinition        = "InvalidDefinition"
	ErrInvalidExecutionInput    = "InvalidExecutionInput"
	ErrInvalidOutput            = "InvalidOutput"
	ErrInvalidToken             = "InvalidToken"
	ErrAccessDenied             = "AccessDeniedException"
	ErrInternalFailure          = "InternalFailure"
	ErrStateMachineDoesNotExist = "StateMachineDoesNotExist"
	ErrExecutionDoesNotExist    = "ExecutionDoesNotExist"
	ErrActivityDoesNotExist     = "ActivityDoesNotExist"
	ErrResourceNotFound         = "ResourceNotFound"
)

// Error is an AWS API error: Code is the AWS error name written as
// "__type", Message the human text.
type Error struct {
	Code    string
	Message string
}

// Error implements error.
func (e *Error) Error() string { return e.Code + ": " + e.Message }

// AWSErrorCode returns the AWS error name.
func (e *Error) AWSErrorCode() string { return e.Code }

// AWSError is implemented by engine errors that carry an AWS error name.
type AWSError interface {
	error
	AWSErrorCode() string
}

// Errorf builds an *Error.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// statusOf maps an AWS error name to its HTTP status. AWS answers 400 for
// nearly every client error.
func statusOf(code string) int {
	switch code {
	case ErrInternalFailure:
		return http.StatusInternalServerError
	case "ServiceUnavailable":
		return http.StatusServiceUnavailable
	case ErrAccessDenied:
		return http.StatusForbidden
	case "ThrottlingException":
		return http.StatusBadRequest
	default:
		return http.StatusBadRequest
	}
}

// toAPIError turns any error into the AWS error to write. The bool reports
// whether it is an internal error (which is logged and hidden).
func toAPIError(err error) (*Error, bool) {
	var e *Error
	if errors.As(err, &e) {
		return e, e.Code == ErrInternalFailure
	}
	var ae AWSError
	if errors.As(err, &ae) && ae.AWSErrorCode() != "" {
		code := ae.AWSErrorCode()
		msg := ae.Error()
		if m, ok := ae.(interface{ AWSMessage() string }); ok {
			msg = m.AWSMessage()
		}
		return &Error{Code: code, Message: msg}, code == ErrInternalFailure
	}
	return &Error{Code: ErrInternalFailure, Message: "internal error; see the server log"}, true
}
