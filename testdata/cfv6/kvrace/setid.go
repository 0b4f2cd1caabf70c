package kvrace

import (
	"context"
	"encoding/json"
	"io"

	"github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/kv"
	"github.com/cloudflare/cloudflare-go/v6/shared"
)

// Records given their ID by a generic loader and saved by their own Key().
type keyedRecord[T any] interface {
	*T
	Key() string
	SetID(id string)
}

func loadRecord[T any, PT keyedRecord[T]](ctx context.Context, client *cloudflare.Client, id string) (*T, error) {
	var v T
	p := PT(&v)
	p.SetID(id)
	res, err := client.KV.Namespaces.Values.Get(ctx, "ns", p.Key(), kv.NamespaceValueGetParams{AccountID: cloudflare.F("acct")})
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		return nil, err
	}
	return &v, json.Unmarshal(b, p)
}

func saveRecord[T any, PT keyedRecord[T]](ctx context.Context, client *cloudflare.Client, p PT) error {
	b, err := json.Marshal(p)
	if err != nil {
		return err
	}
	_, err = client.KV.Namespaces.Values.Update(ctx, "ns", p.Key(), kv.NamespaceValueUpdateParams{
		AccountID: cloudflare.F("acct"),
		Value:     cloudflare.F[kv.NamespaceValueUpdateParamsValueUnion](shared.UnionString(b)),
	})
	return err
}

type roomDay struct {
	ID    string
	Slots []string
}

func (d *roomDay) Key() string          { return "roomday:" + d.ID }
func (d *roomDay) SetID(id string)      { d.ID = id }
func roomDayID(room, day string) string { return room + "@" + day }

// A day's sheet read, a slot added and the sheet written back.
func bookRoom(ctx context.Context, client *cloudflare.Client, room, day, slot string) error {
	d, err := loadRecord[roomDay](ctx, client, roomDayID(room, day))
	if err != nil {
		return err
	}
	d.Slots = append(d.Slots, slot)
	return saveRecord[roomDay](ctx, client, d) // want `read-modify-write on one KV key`
}
