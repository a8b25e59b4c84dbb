package jsonata_test

import (
	"context"
	"fmt"

	"stepwise/engine/jsonata"
	"stepwise/engine/jsonv"
)

func Example() {
	expr, err := jsonata.Compile(`Order.Product.{"name": Name, "total": Price * Quantity}`)
	if err != nil {
		fmt.Println(err)
		return
	}
	input, _ := jsonv.DecodeString(`{"Order": {"Product": [
		{"Name": "Hat", "Price": 12.5, "Quantity": 2},
		{"Name": "Scarf", "Price": 7, "Quantity": 1}]}}`)
	v, defined, err := expr.Eval(context.Background(), input, nil)
	fmt.Println(jsonv.String(v), defined, err)
	// Output: [{"name":"Hat","total":25},{"name":"Scarf","total":7}] true <nil>
}

func Example_stepFunctions() {
	// Step Functions binds $states and evaluates without a context value.
	expr := jsonata.MustCompile(`$partition($states.input.items, 2)`)
	states, _ := jsonv.DecodeString(`{"input": {"items": [1, 2, 3]}}`)
	v, _, err := expr.Eval(context.Background(), jsonata.Undefined, &jsonata.Options{
		AWS:      true,
		Bindings: map[string]any{"states": states},
	})
	fmt.Println(jsonv.String(v), err)
	// Output: [[1,2],[3]] <nil>
}

func ExampleError() {
	_, err := jsonata.Compile(`$sum(`)
	fmt.Println(err)
	x := jsonata.MustCompile(`$notAFunction()`)
	_, _, err = x.Eval(context.Background(), jsonata.Undefined, nil)
	fmt.Println(err)
	// Output:
	// S0203: Expected ")" before end of expression
	// T1006: Attempted to invoke a non-function
}
