package presence

import (
	"context"
	"fmt"
	"testing"
	"time"

	"example.com/relay/internal/store/memstore"
)

func TestOnlineUsers(t *testing.T) {
	ctx := context.Background()
	p := New(memstore.New(), time.Minute)
	var beats []Beat
	for i := 0; i < 5; i++ {
		beats = append(beats, Beat{UserID: fmt.Sprintf("u%d", i), Status: Away})
	}
	if err := p.HeartbeatBatch(ctx, "ws", beats); err != nil {
		t.Fatal(err)
	}
	users, complete, err := p.OnlineUsers(ctx, "ws", 3)
	if err != nil || !complete || len(users) != 5 || users["u3"] != Away {
		t.Fatalf("OnlineUsers = %v, %v, %v", users, complete, err)
	}
}
