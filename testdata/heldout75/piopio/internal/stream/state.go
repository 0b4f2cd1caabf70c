package stream

import "context"

// State is the value the runtime keeps for one key of a keyed operator.
type State[T any] struct {
	key   string
	val   T
	ok    bool
	dirty bool
}

// Key is the partition key this state belongs to.
func (s *State[T]) Key() string { return s.key }

// Get returns the current value and whether one was ever set.
func (s *State[T]) Get() (T, bool) { return s.val, s.ok }

// Update replaces the value.
func (s *State[T]) Update(v T) {
	s.val, s.ok, s.dirty = v, true, true
}

// Clear forgets the value.
func (s *State[T]) Clear() {
	var zero T
	s.val, s.ok, s.dirty = zero, false, true
}

// ProcessFunc handles one element with the state of its key.
type ProcessFunc[T, S, Out any] func(ctx context.Context, st *State[S], v Keyed[T], emit func(Out)) error

// Process runs fn for each element, handing it the per-key state that the
// runtime holds across elements. onClose, when set, sees every state once the
// input completes (checkpointing).
func Process[T, S, Out any](fn ProcessFunc[T, S, Out], onClose func(ctx context.Context, st *State[S]) error) Flow[Keyed[T], Out] {
	return func(ctx context.Context, in <-chan Keyed[T], out chan<- Out) error {
		states := map[string]*State[S]{}
		var order []string
		stopped := false
		emit := func(o Out) {
			if !stopped && !Emit(ctx, out, o) {
				stopped = true
			}
		}
		for kv := range in {
			st, ok := states[kv.Key]
			if !ok {
				st = &State[S]{key: kv.Key}
				states[kv.Key] = st
				order = append(order, kv.Key)
			}
			if err := fn(ctx, st, kv, emit); err != nil {
				return err
			}
			if stopped {
				return nil
			}
		}
		if onClose == nil {
			return nil
		}
		for _, k := range order {
			if st := states[k]; st.dirty {
				if err := onClose(ctx, st); err != nil {
					return err
				}
			}
		}
		return nil
	}
}
