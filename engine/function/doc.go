// Package function is the Lambda equivalent: Task states with the resource
// arn:aws:states:::lambda:invoke (and .waitForTaskToken) or a bare function
// ARN (arn:aws:lambda:<region>:<account>:function:<name>) call a function
// registered by name in a registry.Registry. A function is an HTTP endpoint
// that receives the payload as a JSON POST and answers JSON; results and
// errors have Lambda's shapes. Calls are dialed through httptask.Guard.
//
// It imports engine, engine/jsonv, engine/registry and engine/httptask; it
// must not import server, views or a storage driver.
package function
