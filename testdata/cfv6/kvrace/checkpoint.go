package kvrace

import (
	"context"

	"github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/kv"
)

// Quiet: where a walk of a listing stopped, written for the next tick. The
// cursor read starts the list; what is written is the list's next cursor.
func (f *flags) sweep(ctx context.Context, handle func(string)) error {
	cursor, err := f.read(ctx, "sweep:cursor")
	if err != nil && !isNotFound(err) {
		return err
	}
	params := kv.NamespaceKeyListParams{AccountID: cloudflare.F(f.account), Prefix: cloudflare.F("job:"), Limit: cloudflare.F(100.0)}
	if len(cursor) > 0 {
		params.Cursor = cloudflare.F(string(cursor))
	}
	res, err := f.client.KV.Namespaces.Keys.List(ctx, f.ns, params)
	if err != nil {
		return err
	}
	for _, k := range res.Result {
		handle(k.Name)
	}
	return f.write(ctx, "sweep:cursor", []byte(res.ResultInfo.Cursor))
}

// A list of done jobs read, added to and written back: a read-modify-write.
func (f *flags) markDone(ctx context.Context, job string) error {
	done, err := f.read(ctx, "done")
	if err != nil && !isNotFound(err) {
		return err
	}
	return f.write(ctx, "done", append(done, []byte(","+job)...)) // want `read-modify-write on one KV key`
}

// Quiet: a summary filled where the get missed, in the variable it read
// into: nothing was read, so nothing is lost.
func (f *flags) summary(ctx context.Context, id string, count func() string) ([]byte, error) {
	v, err := f.read(ctx, "summary:"+id)
	if err == nil {
		return v, nil
	}
	if !isNotFound(err) {
		return nil, err
	}
	v = append(v, count()...)
	return v, f.write(ctx, "summary:"+id, v)
}
