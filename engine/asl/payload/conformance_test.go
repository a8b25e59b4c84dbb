package payload_test

import (
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"stepwise/engine/asl/intrinsic"
	"stepwise/engine/asl/jsonpath"
	"stepwise/engine/asl/payload"
	"stepwise/engine/jsonv"
	"stepwise/internal/conformance"
)

// TestConformanceMachines runs every recorded AWS execution whose machine uses
// only Pass, Succeed, Fail and simple Map/Parallel states in JSONPath mode
// through a minimal interpreter built on this package, jsonpath and
// intrinsic, and compares the status, output, error and cause with what AWS
// returned. It checks InputPath, Parameters, Result, ResultSelector,
// ItemsPath, ItemSelector, ResultPath, OutputPath, Assign, ErrorPath and
// CausePath, context paths, variables and every intrinsic the corpus uses.
func TestConformanceMachines(t *testing.T) {
	t.Parallel()
	dir := conformance.Require(t, "cases")
	var files []string
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(p, ".json") {
			files = append(files, p)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	ran := 0
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		v, err := jsonv.Decode(data)
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		c := v.(*jsonv.Object)
		def := get(c, "definition").(*jsonv.Object)
		if !eligible(def) {
			continue
		}
		ran++
		name := strings.TrimSuffix(filepath.Base(f), ".json")
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			input, err := jsonv.DecodeString(get(c, "input_text").(string))
			if err != nil {
				t.Fatal(err)
			}
			res := run(t, def, input)
			expect := get(c, "expect").(*jsonv.Object)
			if st := get(expect, "status"); st != res.status {
				t.Fatalf("status = %s, want %s (error %q cause %q)", res.status, st, res.err, res.cause)
			}
			if res.status == "SUCCEEDED" {
				want := get(expect, "output")
				if !jsonv.Equal(res.output, want) {
					t.Fatalf("output = %s\nwant     %s", jsonv.String(res.output), jsonv.String(want))
				}
				return
			}
			if e, ok := expect.Get("error"); ok && e != res.err {
				t.Errorf("error = %q, want %q", res.err, e)
			}
			if e, ok := expect.Get("cause"); ok && e != res.cause {
				t.Errorf("cause = %q\nwant    %q", res.cause, e)
			}
		})
	}
	t.Logf("%d recorded AWS executions checked", ran)
	if ran < 150 {
		t.Errorf("only %d eligible cases found; the corpus has about 200", ran)
	}
}

func get(o *jsonv.Object, k string) any {
	v, _ := o.Get(k)
	return v
}

// eligible keeps JSONPath machines made of Pass, Succeed, Fail, Map and
// Parallel states without retriers, catchers or failure tolerance, whose
// context paths stay within $$.Execution.Input and $$.Map.Item.
func eligible(def *jsonv.Object) bool {
	if ql, _ := def.Get("QueryLanguage"); ql == "JSONata" {
		return false
	}
	states, _ := def.Get("States")
	for _, m := range states.(*jsonv.Object).Members() {
		st := m.Value.(*jsonv.Object)
		switch get(st, "Type") {
		case "Pass", "Succeed", "Fail":
		case "Map":
			for _, k := range []string{"Retry", "Catch", "ToleratedFailureCount", "ToleratedFailurePercentage",
				"ToleratedFailureCountPath", "ToleratedFailurePercentagePath", "MaxConcurrencyPath", "ItemReader", "ResultWriter", "ItemBatcher"} {
				if st.Has(k) {
					return false
				}
			}
			proc, ok := st.Get("ItemProcessor")
			if !ok {
				proc, ok = st.Get("Iterator")
			}
			if !ok || !eligible(proc.(*jsonv.Object)) {
				return false
			}
		case "Parallel":
			if st.Has("Retry") || st.Has("Catch") {
				return false
			}
			for _, b := range get(st, "Branches").([]any) {
				if !eligible(b.(*jsonv.Object)) {
					return false
				}
			}
		default:
			return false
		}
		if ql, _ := st.Get("QueryLanguage"); ql == "JSONata" {
			return false
		}
	}
	text := jsonv.String(def)
	text = strings.ReplaceAll(text, "$$.Execution.Input", "")
	text = strings.ReplaceAll(text, "$$.Map.Item.Value", "")
	text = strings.ReplaceAll(text, "$$.Map.Item.Index", "")
	return !strings.Contains(text, "$$")
}

type result struct {
	status     string
	output     any
	err, cause string
}

// interp is a minimal JSONPath-mode interpreter for the conformance check.
type interp struct {
	t         *testing.T
	execInput any
}

func run(t *testing.T, def *jsonv.Object, input any) result {
	in := &interp{t: t, execInput: input}
	return in.run(def, input, map[string]any{}, nil)
}

func (in *interp) context(mapItem *jsonv.Object) any {
	ctx := jsonv.ObjectOf("Execution", jsonv.ObjectOf("Input", in.execInput))
	if mapItem != nil {
		ctx.Set("Map", jsonv.ObjectOf("Item", mapItem))
	}
	return ctx
}

func (in *interp) run(def *jsonv.Object, input any, vars map[string]any, mapItem *jsonv.Object) result {
	t := in.t
	t.Helper()
	states := get(def, "States").(*jsonv.Object)
	env := intrinsic.Env{
		Context: in.context(mapItem),
		Var: func(n string) (any, bool) {
			v, ok := vars[n]
			return v, ok
		},
	}
	cur := get(def, "StartAt").(string)
	eventID := 2
	for step := 0; step < 100; step++ {
		st := get(states, cur).(*jsonv.Object)
		failf := func(name, format string, args ...any) result {
			return result{status: "FAILED", err: name, cause: fmt.Sprintf("An error occurred while executing the state '%s' (entered at the event id #%d). ", cur, eventID) + fmt.Sprintf(format, args...)}
		}
		fromErr := func(err error) result {
			var ee *payload.EvalError
			if errors.As(err, &ee) {
				return failf(ee.Name, "%s", ee.Cause)
			}
			t.Fatalf("state %s: unexpected error %v", cur, err)
			return result{}
		}
		applyPath := func(field string, doc any) (any, *result) {
			pv, ok := st.Get(field)
			if !ok {
				return doc, nil
			}
			if pv == nil {
				return jsonv.NewObject(0), nil
			}
			p, err := jsonpath.Parse(pv.(string))
			if err != nil {
				t.Fatalf("%s %s: %v", cur, field, err)
			}
			e := env
			e.Input = doc
			v, err := intrinsic.Resolve(p, e)
			if err != nil {
				var nf *intrinsic.Error
				errors.As(err, &nf)
				// InputPath/OutputPath report Jayway's message.
				_, jerr := p.Get(nf.In)
				r := failf("States.Runtime", "Invalid path '%s' : %s", p.String(), jerr.Error())
				return nil, &r
			}
			return v, nil
		}
		raw := input
		switch get(st, "Type") {
		case "Fail":
			errName, _ := st.Get("Error")
			cause, _ := st.Get("Cause")
			for _, f := range []struct {
				field string
				dst   *any
			}{{"ErrorPath", &errName}, {"CausePath", &cause}} {
				pv, ok := st.Get(f.field)
				if !ok {
					continue
				}
				s := pv.(string)
				e := env
				e.Input = raw
				var v any
				var err error
				if intrinsic.IsCall(s) {
					c, perr := intrinsic.Parse(s)
					if perr != nil {
						t.Fatal(perr)
					}
					v, err = c.Eval(e)
				} else {
					p, perr := jsonpath.Parse(s)
					if perr != nil {
						t.Fatal(perr)
					}
					v, err = intrinsic.Resolve(p, e)
				}
				if err != nil {
					return failf("States.Runtime", "The JSONPath '%s' specified for the field '%s' could not be found in the input '%s'", s, f.field, jsonv.String(raw))
				}
				*f.dst = v
			}
			r := result{status: "FAILED"}
			if s, ok := errName.(string); ok {
				r.err = s
			}
			if s, ok := cause.(string); ok {
				r.cause = s
			}
			return r
		case "Succeed":
			eff, fr := applyPath("InputPath", raw)
			if fr != nil {
				return *fr
			}
			out, fr := applyPath("OutputPath", eff)
			if fr != nil {
				return *fr
			}
			return result{status: "SUCCEEDED", output: out}
		}
		// Pass, Map, Parallel
		eff, fr := applyPath("InputPath", raw)
		if fr != nil {
			return *fr
		}
		evalTemplate := func(field string, doc any) (any, *result) {
			tv, ok := st.Get(field)
			if !ok {
				return doc, nil
			}
			tmpl, err := payload.CompileField(field, tv)
			if err != nil {
				t.Fatalf("%s: %v", cur, err)
			}
			e := env
			e.Input = doc
			v, err := tmpl.Eval(e)
			if err != nil {
				r := fromErr(err)
				return nil, &r
			}
			return v, nil
		}
		res := eff
		switch get(st, "Type") {
		case "Pass":
			res, fr = evalTemplate("Parameters", eff)
			if fr != nil {
				return *fr
			}
			if rv, ok := st.Get("Result"); ok {
				res = rv
			}
		case "Parallel":
			branchInput, fr := evalTemplate("Parameters", eff)
			if fr != nil {
				return *fr
			}
			var outs []any
			for _, b := range get(st, "Branches").([]any) {
				r := in.run(b.(*jsonv.Object), branchInput, maps.Clone(vars), nil)
				if r.status != "SUCCEEDED" {
					return r
				}
				outs = append(outs, r.output)
			}
			res, fr = evalTemplate("ResultSelector", outs)
			if fr != nil {
				return *fr
			}
		case "Map":
			items := eff
			if ip, ok := st.Get("ItemsPath"); ok {
				p, err := jsonpath.Parse(ip.(string))
				if err != nil {
					t.Fatal(err)
				}
				e := env
				e.Input = eff
				if items, err = intrinsic.Resolve(p, e); err != nil {
					t.Fatalf("%s ItemsPath: %v", cur, err)
				}
			}
			arr, ok := items.([]any)
			if !ok {
				return failf("States.Runtime", "Map state input must be an array but was: %s", jsonv.String(items))
			}
			proc, ok := st.Get("ItemProcessor")
			if !ok {
				proc = get(st, "Iterator")
			}
			selField := "ItemSelector"
			if !st.Has(selField) {
				selField = "Parameters"
			}
			outs := []any{}
			for i, item := range arr {
				mi := jsonv.ObjectOf("Index", jsonv.Number(int64(i)), "Value", item)
				itemInput := item
				if tv, ok := st.Get(selField); ok {
					tmpl, err := payload.CompileField(selField, tv)
					if err != nil {
						t.Fatalf("%s: %v", cur, err)
					}
					e := env
					e.Input = eff
					e.Context = in.context(mi)
					if itemInput, err = tmpl.Eval(e); err != nil {
						return fromErr(err)
					}
				}
				r := in.run(proc.(*jsonv.Object), itemInput, maps.Clone(vars), mi)
				if r.status != "SUCCEEDED" {
					return r
				}
				outs = append(outs, r.output)
			}
			res, fr = evalTemplate("ResultSelector", outs)
			if fr != nil {
				return *fr
			}
		}
		var assigned map[string]any
		if av, ok := st.Get("Assign"); ok {
			tmpl, err := payload.CompileField("Assign", av)
			if err != nil {
				t.Fatalf("%s: %v", cur, err)
			}
			e := env
			e.Input = res
			out, err := tmpl.Eval(e)
			if err != nil {
				return fromErr(err)
			}
			assigned = map[string]any{}
			for _, m := range out.(*jsonv.Object).Members() {
				assigned[m.Key] = m.Value
			}
		}
		var output any
		rp, hasRP := st.Get("ResultPath")
		switch {
		case hasRP && rp == nil:
			output = raw
		default:
			text := "$"
			if hasRP {
				text = rp.(string)
			}
			p, err := jsonpath.ParseReference(text)
			if err != nil {
				t.Fatalf("%s ResultPath: %v", cur, err)
			}
			output, err = jsonpath.Set(raw, p, res)
			if err != nil {
				return failf("States.ResultPathMatchFailure", "%v", err)
			}
		}
		output, fr = applyPath("OutputPath", output)
		if fr != nil {
			return *fr
		}
		if len(jsonv.Marshal(output)) > 256*1024 {
			return result{status: "FAILED", err: "States.DataLimitExceeded",
				cause: fmt.Sprintf("The state/task '%s' returned a result with a size exceeding the maximum number of bytes service limit.", cur)}
		}
		for k, v := range assigned {
			vars[k] = v
		}
		if end, _ := st.Get("End"); end == true {
			return result{status: "SUCCEEDED", output: output}
		}
		input = output
		cur = get(st, "Next").(string)
		eventID += 2
	}
	t.Fatal("machine did not stop within 100 states")
	return result{}
}
