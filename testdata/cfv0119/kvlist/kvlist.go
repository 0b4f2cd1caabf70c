// Package kvlist holds kvlist's cases on cloudflare-go v0.
package kvlist

import (
	"context"

	"github.com/cloudflare/cloudflare-go"
)

// The prefix set only for the first page, the cursor only for the rest,
// in options made anew for each page: the second page lists every key.
func clearAssignments(ctx context.Context, api *cloudflare.API, rc *cloudflare.ResourceContainer, ns, prefix string) ([]string, error) { // want clearAssignments:"kvlist"
	var keys []string
	cursor := ""
	for page := 0; page < 50; page++ {
		params := cloudflare.ListWorkersKVsParams{NamespaceID: ns, Limit: 1000}
		if cursor == "" {
			params.Prefix = prefix
		} else {
			params.Cursor = cursor
		}
		resp, err := api.ListWorkersKVKeys(ctx, rc, params) // want `this list passes a cursor but leaves out the Prefix`
		if err != nil {
			return nil, err
		}
		for _, k := range resp.Result {
			keys = append(keys, k.Name)
		}
		if resp.Cursor == "" {
			break
		}
		cursor = resp.Cursor
	}
	return keys, nil
}

// Quiet: the prefix set on every page, the cursor on all but the first.
func assignments(ctx context.Context, api *cloudflare.API, rc *cloudflare.ResourceContainer, ns, prefix string) ([]string, error) {
	var keys []string
	cursor := ""
	for page := 0; page < 50; page++ {
		params := cloudflare.ListWorkersKVsParams{NamespaceID: ns, Limit: 1000}
		params.Prefix = prefix
		if cursor != "" {
			params.Cursor = cursor
		}
		resp, err := api.ListWorkersKVKeys(ctx, rc, params)
		if err != nil {
			return nil, err
		}
		for _, k := range resp.Result {
			keys = append(keys, k.Name)
		}
		if resp.Cursor == "" {
			break
		}
		cursor = resp.Cursor
	}
	return keys, nil
}

// Quiet: options kept across pages keep the prefix set for the first.
func keptOptions(ctx context.Context, api *cloudflare.API, rc *cloudflare.ResourceContainer, ns, prefix string) ([]string, error) {
	var keys []string
	cursor := ""
	params := cloudflare.ListWorkersKVsParams{NamespaceID: ns, Limit: 1000}
	for page := 0; page < 50; page++ {
		if cursor == "" {
			params.Prefix = prefix
		} else {
			params.Cursor = cursor
		}
		resp, err := api.ListWorkersKVKeys(ctx, rc, params)
		if err != nil {
			return nil, err
		}
		for _, k := range resp.Result {
			keys = append(keys, k.Name)
		}
		if resp.Cursor == "" {
			break
		}
		cursor = resp.Cursor
	}
	return keys, nil
}

// command is how a CLI framework (cobra) takes a subcommand: its run
// function in a struct literal.
type command struct {
	Use  string
	RunE func(ctx context.Context) error
}

// Quiet: the options keep the prefix across pages; the literal around
// the cursor's assignment is the command's, not the options'.
func statsCommand(api *cloudflare.API, rc *cloudflare.ResourceContainer, ns, prefix string, counts map[string]int) *command {
	return &command{
		Use: "stats",
		RunE: func(ctx context.Context) error {
			params := cloudflare.ListWorkersKVsParams{NamespaceID: ns, Prefix: prefix}
			params.Limit = 1000
			for range 20 {
				resp, err := api.ListWorkersKVKeys(ctx, rc, params)
				if err != nil {
					return err
				}
				for _, k := range resp.Result {
					counts[k.Name]++
				}
				if resp.Cursor == "" {
					return nil
				}
				params.Cursor = resp.Cursor
			}
			return nil
		},
	}
}
