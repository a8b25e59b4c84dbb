package jsonpath_test

import (
	"fmt"

	"stepwise/engine/asl/jsonpath"
	"stepwise/engine/jsonv"
)

func Example() {
	doc, _ := jsonv.DecodeString(`{"order":{"id":"o-1","items":[{"sku":"a","qty":2},{"sku":"b","qty":0}]}}`)

	id, _ := jsonpath.Parse("$.order.id")
	v, _ := id.Get(doc)
	fmt.Println(jsonv.String(v))

	inStock, _ := jsonpath.Parse("$.order.items[?(@.qty > 0)].sku")
	v, _ = inStock.Get(doc)
	fmt.Println(jsonv.String(v))

	missing, _ := jsonpath.Parse("$.order.total")
	_, err := missing.Get(doc)
	fmt.Println(err)

	rp, _ := jsonpath.ParseReference("$.result.count")
	out, _ := jsonpath.Set(doc, rp, 2)
	fmt.Println(jsonv.String(out))
	// Output:
	// "o-1"
	// ["a"]
	// No results for path: $['order']['total']
	// {"order":{"id":"o-1","items":[{"sku":"a","qty":2},{"sku":"b","qty":0}]},"result":{"count":2}}
}
