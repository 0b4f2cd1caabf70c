// Package scriptvm stands in for a script engine (goja, gopher-lua): the
// arguments of a call from a script reach Go as values of its types.
package scriptvm

// Value is a value of the script.
type Value interface{ String() string }

// FunctionCall is a call from the script to a Go function.
type FunctionCall struct {
	Arguments []Value
}

// Argument returns the i'th argument, or an undefined value.
func (f FunctionCall) Argument(i int) Value {
	if i < len(f.Arguments) {
		return f.Arguments[i]
	}
	return undefined{}
}

type undefined struct{}

func (undefined) String() string { return "undefined" }
