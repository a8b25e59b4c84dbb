package intrinsic_test

import (
	"fmt"

	"stepwise/engine/asl/intrinsic"
	"stepwise/engine/jsonv"
)

func Example() {
	input, _ := jsonv.DecodeString(`{"user":{"name":"Ann","tags":["a","b"]},"csv":"x,y;z"}`)
	env := intrinsic.Env{Input: input}
	for _, expr := range []string{
		"States.Format('Hello {}, you have {} tags: {}', $.user.name, States.ArrayLength($.user.tags), $.user)",
		"States.StringSplit($.csv, ',;')",
		"States.MathAdd(1.5, 2)",
		"States.ArrayGetItem($.user.tags, 5)",
	} {
		call, err := intrinsic.Parse(expr)
		if err != nil {
			fmt.Println(err)
			continue
		}
		v, err := call.Eval(env)
		if err != nil {
			fmt.Println(err)
			continue
		}
		fmt.Println(jsonv.String(v))
	}
	// Output:
	// "Hello Ann, you have 2 tags: {name=Ann, tags=[a, b]}"
	// ["x","y","z"]
	// 4
	// States.IntrinsicFailure: Invalid arguments in States.ArrayGetItem: the index 5 is out of bounds for an array of length 2
}
