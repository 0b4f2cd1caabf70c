// Package rules holds small composable specifications used to decide which
// records are worth storing.
package rules

// Spec is satisfied by candidates that meet a rule.
type Spec[T any] interface{ IsSatisfiedBy(T) bool }

// Func adapts a predicate to Spec.
type Func[T any] func(T) bool

// IsSatisfiedBy implements Spec.
func (f Func[T]) IsSatisfiedBy(v T) bool { return f(v) }

type all[T any] []Spec[T]

func (a all[T]) IsSatisfiedBy(v T) bool {
	for _, s := range a {
		if !s.IsSatisfiedBy(v) {
			return false
		}
	}
	return true
}

// And is satisfied when every spec is.
func And[T any](specs ...Spec[T]) Spec[T] { return all[T](specs) }

// Not negates s.
func Not[T any](s Spec[T]) Spec[T] { return Func[T](func(v T) bool { return !s.IsSatisfiedBy(v) }) }
