package asl_test

import (
	"fmt"

	"stepwise/engine/asl"
)

func ExampleParse() {
	def := `{
  "StartAt": "Greet",
  "States": {
    "Greet": {"Type": "Pass", "Parameters": {"name.$": "$.who"}, "Next": "Done"},
    "Done": {"Type": "Succeed"}
  }
}`
	sm, diags := asl.Parse([]byte(def))
	fmt.Println("errors:", diags.HasErrors())
	for _, s := range sm.States {
		fmt.Printf("%s %s at %d:%d (%s)\n", s.Type, s.Name, s.Pos.Line, s.Pos.Column, s.Pointer)
	}
	// Output:
	// errors: false
	// Pass Greet at 4:5 (/States/Greet)
	// Succeed Done at 5:5 (/States/Done)
}

func ExampleParse_diagnostics() {
	def := "StartAt: Work\nStates:\n  Work:\n    Type: Task\n    Resource: arn:aws:states:::lambda:invoke\n    Next: Nowhere\n"
	_, diags := asl.Parse([]byte(def))
	for _, d := range diags {
		fmt.Printf("%d:%d: %s: %s (%s %s)\n", d.Line, d.Column, d.Where(), d.Message, d.Severity, d.Code)
	}
	// Output:
	// 6:11: Work.Next: Missing 'Next' target: Nowhere (ERROR MISSING_TRANSITION_TARGET)
}
