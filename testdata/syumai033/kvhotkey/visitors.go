package kvhotkey

import (
	"errors"
	"fmt"

	kvstage "kvlint.test/syumai033/stage"
)

// A visitor runs once per key the walk lists: a constant key written in
// it is written on every one of them.
func sweepMarkLast(s *kvstage.Store) error { // want sweepMarkLast:"kvhotkey"
	return s.Walk("job:", func(key string) error {
		return s.Put("jobs:last-swept", key, 0) // want `this loop writes the same KV key on every iteration`
	})
}

// One key per visited key is no hot key.
func sweepMarkEach(s *kvstage.Store) error {
	return s.Walk("job:", func(key string) error {
		return s.Put(key+":swept", "1", 0)
	})
}

var errSweepFound = errors.New("found")

// A visitor that stops at the first key writes once.
func sweepMarkFirst(s *kvstage.Store) error {
	err := s.Walk("job:", func(key string) error {
		if err := s.Put("jobs:first", key, 0); err != nil {
			return err
		}
		return errSweepFound
	})
	if errors.Is(err, errSweepFound) {
		return nil
	}
	return err
}

type sweeper struct {
	jobs *kvstage.Store
	meta *kvstage.Lazy
}

// A key made of constants and what the visitor captures, in a namespace
// its wrapper resolves on each call, is one key on every visit.
func (w sweeper) markLast() error { // want markLast:"kvhotkey"
	swept := 0
	err := w.jobs.Walk("job:", func(key string) error {
		swept++
		return w.meta.Put("jobs:last-swept", key) // want `this loop writes the same KV key on every iteration`
	})
	fmt.Println("swept", swept)
	return err
}

// A key numbered by what the visitor counts is a new key on each visit.
func (w sweeper) markParts() error {
	part := 0
	return w.jobs.Walk("job:", func(key string) error {
		part++
		return w.meta.Put(fmt.Sprintf("jobs:part:%d", part), key)
	})
}

type dispatcher struct{ meta *kvstage.Lazy }

// Of the writes of apply, the one of a key fixed inside it is written on
// every event: said at that write.
func (d *dispatcher) apply(ev string) error {
	if err := d.meta.Put("event:"+ev, "seen"); err != nil {
		return err
	}
	return d.meta.Put("generation", ev) // want `this write, called from a loop,`
}

func (d *dispatcher) applyAll(evs []string) error { // want applyAll:"kvhotkey"
	for _, ev := range evs {
		if err := d.apply(ev); err != nil {
			return err
		}
	}
	return nil
}

var errPermanent = errors.New("permanent")

// retry runs op until it succeeds or fails for good, at most three times.
func retry(op func() error) error {
	var err error
	for range 3 {
		if err = op(); err == nil || errors.Is(err, errPermanent) {
			return err
		}
	}
	return err
}

// Quiet: a write retried until it succeeds is one write.
func (w sweeper) markRetried(key string) error {
	return retry(func() error { return w.meta.Put("jobs:last-retried", key) })
}
