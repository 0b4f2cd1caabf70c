//go:build js && wasm

package portal

import (
	"context"
	"strconv"

	"example.com/gannet/edge/kvstore"
	"example.com/gannet/internal/ttl"
)

// consentVersion is the telehealth consent the patient accepts; the key
// records acceptance of this exact wording.
const consentVersion = "I understand that telehealth visits use interactive audio and video to deliver care " +
	"when I am not in the same place as my clinician. I understand that a telehealth visit may not be " +
	"appropriate for every condition, and that my clinician may ask me to come to the clinic in person. " +
	"I understand that the practice uses encrypted connections but that no system is completely secure. " +
	"I may withdraw this consent at any time without affecting my right to future care. I confirm that I " +
	"am located in a state where my clinician is licensed at the time of each visit."

// bumpViews counts a view of a summary for the clinician's read receipts.
func bumpViews(ctx context.Context, kv interface {
	Text(context.Context, string) (string, error)
	Put(context.Context, string, []byte) error
}, key string) error {
	raw, err := kv.Text(ctx, key)
	if err != nil {
		return err
	}
	n := 0
	if raw != kvstore.Null {
		n, _ = strconv.Atoi(raw)
	}
	return kv.Put(ctx, key, []byte(strconv.Itoa(n+1))) // EXPECT kvcounter
}

// updateJSON applies fn to the record at key and writes it back.
func updateJSON[T any](ctx context.Context, store *kvstore.Store, key string, lt ttl.Lifetime, fn func(*T)) (T, error) {
	var v T
	if _, err := store.Load(ctx, key, &v); err != nil {
		return v, err
	}
	fn(&v)
	return v, store.Save(ctx, key, v, lt) // EXPECT kvrace
}
