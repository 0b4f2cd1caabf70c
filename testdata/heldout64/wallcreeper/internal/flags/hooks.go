package flags

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"time"

	of "github.com/open-feature/go-sdk/openfeature"

	"github.com/clinicgroup/wallcreeper/internal/kvstore"
)

// ExposureHook records that a subject was exposed to a targeted variant, once
// per subject, flag and day; the analytics export reads these keys.
type ExposureHook struct {
	of.UnimplementedHook
	NS *kvstore.Namespace
}

// After records targeted and split exposures.
func (h ExposureHook) After(ctx context.Context, hc of.HookContext, d of.InterfaceEvaluationDetails, _ of.HookHints) error {
	if d.Reason != of.TargetingMatchReason && d.Reason != of.SplitReason {
		return nil
	}
	subject := hc.EvaluationContext().TargetingKey()
	if subject == "" {
		return nil
	}
	day := time.Now().UTC().Format("2006-01-02")
	key := fmt.Sprintf("exposure/%s/%s/%s", hc.FlagKey(), day, subject)
	return h.NS.PutCached(ctx, key, []byte(d.Variant), 36*time.Hour)
}

// EvalStatsHook keeps hourly evaluation totals per flag for the dashboard.
type EvalStatsHook struct {
	of.UnimplementedHook
	NS *kvstore.Namespace
}

// Finally counts every evaluation, successful or not.
func (h EvalStatsHook) Finally(ctx context.Context, hc of.HookContext, d of.InterfaceEvaluationDetails, _ of.HookHints) {
	hour := time.Now().UTC().Format("2006010215")
	key := fmt.Sprintf("evalcount/%s/%s", hc.FlagKey(), hour)
	n := 0
	if raw, err := h.NS.Get(ctx, key); err == nil {
		n, _ = strconv.Atoi(string(raw))
	} else if !errors.Is(err, kvstore.ErrNotFound) {
		slog.Warn("flag stats read failed", "flag", hc.FlagKey(), "err", err)
		return
	}
	n++
	if err := h.NS.Put(ctx, key, []byte(strconv.Itoa(n)), 48*time.Hour); err != nil { // EXPECT kvcounter|kvrace
		slog.Warn("flag stats write failed", "flag", hc.FlagKey(), "err", err)
	}
}

// ErrorLogHook logs failed evaluations.
type ErrorLogHook struct{ of.UnimplementedHook }

// Error logs the failure.
func (ErrorLogHook) Error(_ context.Context, hc of.HookContext, err error, _ of.HookHints) {
	slog.Warn("flag evaluation failed", "flag", hc.FlagKey(), "err", err)
}

// LastEvaluatedHook notes when a flag was last evaluated so that stale flags
// can be cleaned up.
type LastEvaluatedHook struct {
	of.UnimplementedHook
	NS *kvstore.Namespace
}

// After stamps the flag.
func (h LastEvaluatedHook) After(ctx context.Context, hc of.HookContext, _ of.InterfaceEvaluationDetails, _ of.HookHints) error {
	stamp := time.Now().UTC().Format(time.RFC3339)
	return h.NS.Put(ctx, "flagseen/"+hc.FlagKey(), []byte(stamp), 30*24*time.Hour) // DEBATABLE kvhotkey
}
