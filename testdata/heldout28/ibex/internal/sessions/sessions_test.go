package sessions

import (
	"context"
	"encoding/json"
	"testing"
	"time"
)

type recordingPut struct {
	key string
	val []byte
}

func (r *recordingPut) Put(_ context.Context, key string, val []byte) error {
	r.key, r.val = key, val
	return nil
}

func TestTouchStampsLastSeen(t *testing.T) {
	fixed := time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)
	timeNow = func() time.Time { return fixed }
	t.Cleanup(func() { timeNow = time.Now })

	var rec recordingPut
	if err := Touch(context.Background(), &rec, "session:abc", Session{CreatorID: "c1"}); err != nil {
		t.Fatal(err)
	}
	var got Session
	if err := json.Unmarshal(rec.val, &got); err != nil {
		t.Fatal(err)
	}
	if !got.LastSeen.Equal(fixed) || rec.key != "session:abc" {
		t.Fatalf("got %+v at %q", got, rec.key)
	}
}

func TestKeyDoesNotContainID(t *testing.T) {
	s := &SessionService{prefix: "session:"}
	newSessionID = func() string { return "secret-id" }
	if k := s.Key(newSessionID()); k == "session:secret-id" {
		t.Fatal("session ID stored in clear")
	}
}
