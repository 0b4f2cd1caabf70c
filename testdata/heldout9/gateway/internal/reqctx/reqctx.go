// Package reqctx carries request-scoped values through context.Context.
package reqctx

import "context"

type ctxKey int

const (
	operatorKey ctxKey = iota
	requestIDKey
)

// WithOperator records the authenticated console operator.
func WithOperator(ctx context.Context, op string) context.Context {
	return context.WithValue(ctx, operatorKey, op)
}

// Operator returns the operator, or "system" for background work.
func Operator(ctx context.Context) string {
	if op, ok := ctx.Value(operatorKey).(string); ok && op != "" {
		return op
	}
	return "system"
}

// WithRequestID records the request id.
func WithRequestID(ctx context.Context, id string) context.Context {
	return context.WithValue(ctx, requestIDKey, id)
}

// RequestID returns the request id, if any.
func RequestID(ctx context.Context) string {
	id, _ := ctx.Value(requestIDKey).(string)
	return id
}
