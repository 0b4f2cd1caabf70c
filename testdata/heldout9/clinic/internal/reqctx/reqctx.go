// Package reqctx carries request-scoped values through context.Context.
package reqctx

import "context"

type ctxKey int

const (
	clinicKey ctxKey = iota
	patientKey
	sessionKey
)

func WithClinic(ctx context.Context, id string) context.Context {
	return context.WithValue(ctx, clinicKey, id)
}

func Clinic(ctx context.Context) string {
	v, _ := ctx.Value(clinicKey).(string)
	return v
}

func WithPatient(ctx context.Context, id string) context.Context {
	return context.WithValue(ctx, patientKey, id)
}

func Patient(ctx context.Context) string {
	v, _ := ctx.Value(patientKey).(string)
	return v
}

func WithSession(ctx context.Context, id string) context.Context {
	return context.WithValue(ctx, sessionKey, id)
}

func Session(ctx context.Context) string {
	v, _ := ctx.Value(sessionKey).(string)
	return v
}
