// Package flowlib is a workflow engine's API in miniature, as
// go.temporal.io/sdk's workflow.ExecuteActivity is: it runs the function
// it is given, found by reflection, with the arguments that follow it,
// and gives the function its own context.
package flowlib

import (
	"context"
	"reflect"
)

// Context is the engine's context, which is not a context.Context.
type Context interface{ Done() <-chan struct{} }

// Execute calls activity with ctx and args.
func Execute(ctx Context, activity any, args ...any) error {
	in := []reflect.Value{reflect.ValueOf(context.Background())}
	for _, a := range args {
		in = append(in, reflect.ValueOf(a))
	}
	out := reflect.ValueOf(activity).Call(in)
	if err, _ := out[len(out)-1].Interface().(error); err != nil {
		return err
	}
	return nil
}
