package settings

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/cloudflare/cloudflare-go/v4"
	"github.com/cloudflare/cloudflare-go/v4/kv"

	"github.com/takahe-iot/takahe/internal/async"
	"github.com/takahe-iot/takahe/internal/dag"
	"github.com/takahe-iot/takahe/internal/kvstore"
)

// complianceNotice is attached to published settings so that field tools
// can show it without fetching the value.
const complianceNotice = "This configuration is distributed to devices operating under the Takahe fleet " +
	"management agreement. Devices receiving these settings must apply them within the maintenance window " +
	"configured for their fleet. Settings that change radio parameters, transmit power, duty cycle, or " +
	"sampling frequency are subject to the regional regulatory limits recorded for the device's certified " +
	"market; the device firmware enforces those limits and will ignore any value outside of them. Operators " +
	"are responsible for verifying that maintenance windows comply with local rules on unattended operation. " +
	"Settings are versioned; every published revision is retained for audit for at least thirteen months and " +
	"can be restored from the console. Telemetry sampling rates above the contracted tier are billed at the " +
	"overage rate in effect when the samples are ingested. By publishing, the operator confirms that the " +
	"revision has been reviewed by a second person holding the fleet-admin role, as required by the change " +
	"management policy, and that rollback instructions have been recorded in the change ticket referenced " +
	"in the revision's extra fields. Contact fleet-support for assistance with regulatory questions."

// Publisher pushes a set of fleet documents to KV as one job.
type Publisher struct {
	NS      *kvstore.Namespace
	Regions []string
}

// Publish validates docs and writes them, the per-region epochs and the
// fleet index. The steps are declared as a task graph.
func (p *Publisher) Publish(ctx context.Context, docs []Fleet) error {
	env := dag.NewEnv(map[string]any{"docs": docs, "epoch": time.Now().Unix()})
	tasks := []dag.Task{
		{Name: "validate", Run: validate},
		{Name: "encode", Deps: []string{"validate"}, Run: encode},
		{Name: "write", Deps: []string{"encode"}, Run: p.write},
		{Name: "notice", Deps: []string{"encode"}, Run: p.notice},
		{Name: "epochs", Deps: []string{"write"}, Run: p.epochs},
		{Name: "index", Deps: []string{"write"}, Run: p.index},
	}
	return dag.RunParallel(ctx, env, tasks)
}

func validate(_ context.Context, env *dag.Env) error {
	docs, err := dag.Must[[]Fleet](env, "docs")
	if err != nil {
		return err
	}
	for _, d := range docs {
		if d.Name == "" {
			return fmt.Errorf("settings: document without a name")
		}
		if d.CheckinInterval < 30 {
			return fmt.Errorf("settings: %s: check-in interval %ds below 30s", d.Name, d.CheckinInterval)
		}
	}
	return nil
}

func encode(_ context.Context, env *dag.Env) error {
	docs, _ := dag.Lookup[[]Fleet](env, "docs")
	entries := make([]kvstore.Entry, 0, len(docs))
	for _, d := range docs {
		raw, err := json.Marshal(d)
		if err != nil {
			return err
		}
		entries = append(entries, kvstore.Entry{
			Key:      fleetKey(d.Name),
			Value:    raw,
			Metadata: map[string]any{"revision": d.Revision},
		})
	}
	env.Set("entries", entries)
	return nil
}

func (p *Publisher) write(ctx context.Context, env *dag.Env) error {
	entries, err := dag.Must[[]kvstore.Entry](env, "entries")
	if err != nil {
		return err
	}
	return p.NS.PutMany(ctx, entries)
}

func (p *Publisher) notice(ctx context.Context, env *dag.Env) error {
	epoch, _ := dag.Lookup[int64](env, "epoch")
	_, err := p.NS.Client.KV.Namespaces.Values.Update(ctx, p.NS.ID, "settings/notice", kv.NamespaceValueUpdateParams{
		AccountID: cloudflare.F(p.NS.AccountID),
		Value:     cloudflare.F(strconv.FormatInt(epoch, 10)),
		Metadata:  cloudflare.F[any](map[string]string{"notice": complianceNotice}), // EXPECT kvlimits
	})
	return err
}

func (p *Publisher) epochs(ctx context.Context, env *dag.Env) error {
	epoch, _ := dag.Lookup[int64](env, "epoch")
	fs := make([]*async.Future[string], 0, len(p.Regions))
	for _, region := range p.Regions {
		fs = append(fs, async.Go(func() (string, error) {
			return region, p.NS.Put(ctx, "settings/epoch/"+region, []byte(strconv.FormatInt(epoch, 10)), 0)
		}))
	}
	_, err := async.Settled(ctx, fs...)
	return err
}

func (p *Publisher) index(ctx context.Context, env *dag.Env) error {
	docs, _ := dag.Lookup[[]Fleet](env, "docs")
	names := make([]string, 0, len(docs))
	for _, d := range docs {
		names = append(names, d.Name)
		slices.Sort(names)
		raw, _ := json.Marshal(names)
		if err := p.NS.Put(ctx, "settings/index", raw, 0); err != nil { // EXPECT kvhotkey
			return err
		}
	}
	return nil
}
