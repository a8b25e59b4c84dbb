package payload_test

import (
	"fmt"

	"stepwise/engine/asl/intrinsic"
	"stepwise/engine/asl/payload"
	"stepwise/engine/jsonv"
)

func Example() {
	def, _ := jsonv.DecodeString(`{"id.$":"$.order.id","label.$":"States.Format('#{}', $.order.id)","index.$":"$$.Map.Item.Index","fixed":{"a":1}}`)
	tmpl, err := payload.CompileField("ItemSelector", def)
	if err != nil {
		fmt.Println(err)
		return
	}
	input, _ := jsonv.DecodeString(`{"order":{"id":17}}`)
	ctx, _ := jsonv.DecodeString(`{"Map":{"Item":{"Index":3,"Value":null}}}`)
	out, err := tmpl.Eval(intrinsic.Env{Input: input, Context: ctx})
	fmt.Println(jsonv.String(out), err)

	_, err = tmpl.Eval(intrinsic.Env{Input: jsonv.NewObject(0), Context: ctx})
	fmt.Println(err)
	// Output:
	// {"id":17,"label":"#17","index":3,"fixed":{"a":1}} <nil>
	// States.Runtime: The JSONPath '$.order.id' specified for the field 'id.$' could not be found in the input '{}'
}
