package engine

import (
	"errors"
	"fmt"
)

// Error codes. Each is the AWS API error name the server reports as __type, so
// the code travels unchanged from the engine to the AWS-compatible API.
const (
	ExecutionDoesNotExist        = "ExecutionDoesNotExist"
	ExecutionAlreadyExists       = "ExecutionAlreadyExists"
	ExecutionLimitExceeded       = "ExecutionLimitExceeded"
	StateMachineDoesNotExist     = "StateMachineDoesNotExist"
	StateMachineAlreadyExists    = "StateMachineAlreadyExists"
	StateMachineDeleting         = "StateMachineDeleting"
	StateMachineTypeNotSupported = "StateMachineTypeNotSupported"
	MapRunDoesNotExist           = "ResourceNotFound"
	InvalidDefinition            = "InvalidDefinition"
	InvalidName                  = "InvalidName"
	InvalidArn                   = "InvalidArn"
	InvalidExecutionInput        = "InvalidExecutionInput"
	InvalidOutput                = "InvalidOutput"
	InvalidToken                 = "InvalidToken"
	TaskDoesNotExist             = "TaskDoesNotExist"
	TaskTimedOut                 = "TaskTimedOut"
	ValidationException          = "ValidationException"
	Internal                     = "InternalError"
)

// Error is the engine's one error type: Code is an AWS API error name (see the
// constants above), Message is the human text AWS would return with it.
type Error struct {
	Code    string
	Message string
}

func (e *Error) Error() string { return e.Code + ": " + e.Message }

// Errorf builds an *Error with a formatted message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// ErrorCode returns the code of err when it is or wraps an *Error, Internal for
// any other non-nil error, and "" for nil.
func ErrorCode(err error) string {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return Internal
}

// ErrorMessage returns the message of an *Error, or err.Error() otherwise.
func ErrorMessage(err error) string {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Message
	}
	return err.Error()
}
