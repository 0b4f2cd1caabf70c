package main

import (
	"context"
	"testing"
	"time"
)

// A signal ends the run even while an analysis, which does not watch the
// context, is still going; a run that ends by itself is not ended.
func TestExitWhenInterrupted(t *testing.T) {
	ctx, signalled := context.WithCancel(context.Background())
	stopped, exited := make(chan bool, 1), make(chan bool, 1)
	exitWhenInterrupted(ctx, func() { stopped <- true }, time.Millisecond, func() { exited <- true })
	signalled()
	<-stopped // a second signal would end the process at once
	<-exited

	ctx, signalled = context.WithCancel(context.Background())
	cancel := exitWhenInterrupted(ctx, func() { t.Error("stop after the run ended") }, 0, func() { t.Error("exit after the run ended") })
	cancel()
	signalled()
	time.Sleep(10 * time.Millisecond) // AfterFunc would have started by now
}
