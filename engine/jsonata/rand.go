package jsonata

import (
	"crypto/rand"
	"fmt"
	mrand "math/rand/v2"
	"time"
)

// randSource is the per-evaluation random generator.
type randSource struct {
	r *mrand.Rand
}

func (e *evaluator) random() float64 {
	if e.opts.Rand != nil {
		return e.opts.Rand()
	}
	if e.rnd == nil {
		var seed [32]byte
		_, _ = rand.Read(seed[:])
		e.rnd = &randSource{r: mrand.New(mrand.NewChaCha8(seed))}
	}
	return e.rnd.r.Float64()
}

// timestamp is the evaluation's fixed "now": $now() and $millis() return the
// same instant throughout one evaluation, as in jsonata-js.
func (e *evaluator) timestamp() time.Time {
	if !e.nowSet {
		if e.opts.Now != nil {
			e.now = e.opts.Now()
		} else {
			e.now = time.Now()
		}
		e.nowSet = true
	}
	return e.now
}

// fnRandomSeeded is AWS's $random([seed]): with a seed the result is a
// deterministic function of it.
func fnRandomSeeded(e *evaluator, c *call, a []any) (any, error) {
	if a[0] == nil {
		return e.random(), nil
	}
	seed := a[0].(float64)
	bits := uint64(int64(seed))
	if seed != float64(int64(seed)) {
		bits = uint64(int64(seed * 1e9))
	}
	r := mrand.New(mrand.NewPCG(bits, 0x9E3779B97F4A7C15))
	return r.Float64(), nil
}

func fnUUID(e *evaluator, c *call, a []any) (any, error) {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		return nil, fmt.Errorf("jsonata: $uuid: %w", err)
	}
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16]), nil
}
