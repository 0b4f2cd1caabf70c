// Package kvrace holds kvrace's and kvcounter's cases on cloudflare-go v0.
package kvrace

import (
	"context"
	"strconv"
	"strings"

	"github.com/cloudflare/cloudflare-go"
)

type job struct {
	api *cloudflare.API
	rc  *cloudflare.ResourceContainer
	ns  string
}

// Append a line to a log kept in one key: lines from overlapping runs are lost.
func (j *job) appendLine(ctx context.Context, line string) error {
	old, err := j.api.GetWorkersKV(ctx, j.rc, cloudflare.GetWorkersKVParams{NamespaceID: j.ns, Key: "job-log"})
	if err != nil {
		return err
	}
	lines := strings.Split(string(old), "\n")
	lines = append(lines, line)
	// want +1 `read-modify-write on one KV key`
	_, err = j.api.WriteWorkersKVEntry(ctx, j.rc, cloudflare.WriteWorkersKVEntryParams{
		NamespaceID: j.ns,
		Key:         "job-log",
		Value:       []byte(strings.Join(lines, "\n")),
	})
	return err
}

// The nightly run counter is kvcounter's: kvrace stays quiet on it, one
// diagnostic per site.
func (j *job) countRun(ctx context.Context) error {
	v, err := j.api.GetWorkersKV(ctx, j.rc, cloudflare.GetWorkersKVParams{NamespaceID: j.ns, Key: "runs"})
	if err != nil {
		return err
	}
	n, _ := strconv.Atoi(string(v))
	_, err = j.api.WriteWorkersKVEntry(ctx, j.rc, cloudflare.WriteWorkersKVEntryParams{NamespaceID: j.ns, Key: "runs", Value: []byte(strconv.Itoa(n + 1))})
	return err
}

// Quiet: another namespace ID.
func (j *job) promote(ctx context.Context, staging string) error {
	v, err := j.api.GetWorkersKV(ctx, j.rc, cloudflare.GetWorkersKVParams{NamespaceID: staging, Key: "config"})
	if err != nil {
		return err
	}
	_, err = j.api.WriteWorkersKVEntry(ctx, j.rc, cloudflare.WriteWorkersKVEntryParams{NamespaceID: j.ns, Key: "config", Value: append(v, '\n')})
	return err
}

// Through the bulk endpoint: a tag list read, extended and written back.
func (j *job) tag(ctx context.Context, id, tag string) error {
	cur, err := j.api.GetWorkersKV(ctx, j.rc, cloudflare.GetWorkersKVParams{NamespaceID: j.ns, Key: "tags:" + id})
	if err != nil {
		return err
	}
	_, err = j.api.WriteWorkersKVEntries(ctx, j.rc, cloudflare.WriteWorkersKVEntriesParams{ // want `read-modify-write on one KV key`
		NamespaceID: j.ns,
		KVs:         []*cloudflare.WorkersKVPair{{Key: "tags:" + id, Value: string(cur) + " " + tag}},
	})
	return err
}
