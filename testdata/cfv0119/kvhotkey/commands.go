package kvhotkey

import (
	"context"

	"github.com/cloudflare/cloudflare-go"
)

// A console's commands in the style of bubbletea's tea.Cmd: closures of
// a named function type, run together by runAll.
type command func() error

func runAll(cmds ...command) func() error {
	return func() error {
		for _, c := range cmds {
			if err := c(); err != nil {
				return err
			}
		}
		return nil
	}
}

// One command per tenant, each writing the one rollout key.
func rollOut(ctx context.Context, api *cloudflare.API, rc *cloudflare.ResourceContainer, ns string, tenants []string, name string) func() error { // want rollOut:"kvhotkey"
	cmds := make([]command, 0, len(tenants))
	for _, t := range tenants {
		cmds = append(cmds, func() error {
			_, err := api.WriteWorkersKVEntry(ctx, rc, cloudflare.WriteWorkersKVEntryParams{NamespaceID: ns, Key: "flag:rollout:" + name, Value: []byte(t)}) // want `this loop writes the same KV key on every iteration`
			return err
		})
	}
	return runAll(cmds...)
}

// Quiet: each tenant's command writes the tenant's own key.
func rollOutPerTenant(ctx context.Context, api *cloudflare.API, rc *cloudflare.ResourceContainer, ns string, tenants []string, name string) func() error {
	cmds := make([]command, 0, len(tenants))
	for _, t := range tenants {
		cmds = append(cmds, func() error {
			_, err := api.WriteWorkersKVEntry(ctx, rc, cloudflare.WriteWorkersKVEntryParams{NamespaceID: ns, Key: "flag:" + t + ":" + name, Value: []byte("on")})
			return err
		})
	}
	return runAll(cmds...)
}
