package kvlist

import (
	"context"
	"log/slog"

	"github.com/syumai/workers/cloudflare/kv"

	"kvlint.test/syumai033/kvlist/pages"
)

type tenantKey struct{}

func tenantOf(ctx context.Context) string {
	t, _ := ctx.Value(tenantKey{}).(string)
	return t
}

type settingsReader struct {
	log    *slog.Logger
	tenant string
}

func (s *settingsReader) key() string { return "settings:" + s.tenant }

// Quiet: the tenant's settings, read once per page by a reader that
// shares the logger, are no listed key.
func pageJobs(ctx context.Context, ns *kv.Namespace) error {
	log := slog.Default()
	r := &settingsReader{log: log, tenant: tenantOf(ctx)}
	cursor := ""
	for range 3 {
		next, err := pages.LogJobs(ctx, ns, log, cursor)
		if err != nil {
			return err
		}
		if _, err := ns.GetString(r.key(), nil); err != nil {
			return err
		}
		if next == "" {
			return nil
		}
		cursor = next
	}
	return nil
}
