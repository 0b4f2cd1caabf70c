package flags

import (
	"context"
	"encoding/json"
	"errors"
	"strconv"
	"time"

	"github.com/open-feature/go-sdk/openfeature"

	"bullfinch/internal/kv"
)

// ExposureHook records, once per day and visitor, that a visitor was
// exposed to a variant, and keeps per-variant exposure totals for the
// experiment dashboard.
type ExposureHook struct {
	openfeature.UnimplementedHook
	ns *kv.Namespace
}

// NewExposureHook returns the hook writing to ns.
func NewExposureHook(ns *kv.Namespace) *ExposureHook { return &ExposureHook{ns: ns} }

func (h *ExposureHook) After(ctx context.Context, hc openfeature.HookContext, d openfeature.InterfaceEvaluationDetails, _ openfeature.HookHints) error {
	if d.Variant == "" || d.Reason != openfeature.SplitReason {
		return nil
	}
	visitor := hc.EvaluationContext().TargetingKey()
	day := time.Now().UTC().Format("20060102")
	seenKey := "exposure-seen:" + hc.FlagKey() + ":" + day + ":" + visitor
	if _, err := h.ns.Get(ctx, seenKey); err == nil {
		return nil
	} else if !errors.Is(err, kv.ErrNotFound) {
		return err
	}
	if err := h.ns.PutTTL(ctx, seenKey, []byte(d.Variant), 36*time.Hour); err != nil { // DEBATABLE kvrace
		return err
	}
	totalKey := "exposures:" + hc.FlagKey() + ":" + d.Variant + ":" + day
	n := int64(0)
	raw, err := h.ns.Get(ctx, totalKey)
	if err == nil {
		n, _ = strconv.ParseInt(string(raw), 10, 64)
	} else if !errors.Is(err, kv.ErrNotFound) {
		return err
	}
	return h.ns.PutTTL(ctx, totalKey, []byte(strconv.FormatInt(n+1, 10)), 90*24*time.Hour) // EXPECT kvcounter|kvrace
}

// AuditHook keeps a sample of evaluation errors for support.
type AuditHook struct {
	openfeature.UnimplementedHook
	ns       *kv.Namespace
	retained time.Duration
}

// NewAuditHook returns a hook that keeps error samples for retained.
func NewAuditHook(ns *kv.Namespace, retained time.Duration) *AuditHook {
	return &AuditHook{ns: ns, retained: retained}
}

func (h *AuditHook) Error(ctx context.Context, hc openfeature.HookContext, err error, _ openfeature.HookHints) {
	b, _ := json.Marshal(map[string]any{
		"flag":    hc.FlagKey(),
		"visitor": hc.EvaluationContext().TargetingKey(),
		"error":   err.Error(),
		"at":      time.Now().UTC(),
	})
	key := "flag-error:" + hc.FlagKey() + ":" + strconv.FormatInt(time.Now().UnixNano(), 36)
	_ = h.ns.PutMeta(ctx, key, b, map[string]string{"flag": hc.FlagKey()}, h.retained)
}

// LastEvaluationHook remembers when each flag was last evaluated, which the
// dashboard uses to find stale flags.
type LastEvaluationHook struct {
	openfeature.UnimplementedHook
	ns *kv.Namespace
}

// NewLastEvaluationHook returns the hook writing to ns.
func NewLastEvaluationHook(ns *kv.Namespace) *LastEvaluationHook { return &LastEvaluationHook{ns: ns} }

func (h *LastEvaluationHook) Finally(ctx context.Context, hc openfeature.HookContext, _ openfeature.InterfaceEvaluationDetails, _ openfeature.HookHints) {
	_ = h.ns.Put(ctx, "flag-last-eval:"+hc.FlagKey(), []byte(time.Now().UTC().Format(time.RFC3339))) // DEBATABLE kvhotkey
}
