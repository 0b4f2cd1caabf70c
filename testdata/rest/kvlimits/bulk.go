package kvlimits

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
)

type bulkPair struct {
	Key   string `json:"key"`
	Value string `json:"value"`
}

// A client whose bulk write streams the pairs through a pipe, encoded by
// a goroutine while the request reads them.
type streamClient struct {
	hc *http.Client
}

func (c *streamClient) bulkPut(ctx context.Context, pairs []bulkPair) error {
	pr, pw := io.Pipe()
	go func() {
		pw.CloseWithError(json.NewEncoder(pw).Encode(pairs))
	}()
	req, err := http.NewRequestWithContext(ctx, http.MethodPut, base+"/bulk", pr)
	if err != nil {
		return err
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		return err
	}
	return resp.Body.Close()
}

// And one that encodes them first.
func (c *streamClient) bulkPutBuffered(ctx context.Context, pairs []bulkPair) error {
	b, err := json.Marshal(pairs)
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPut, base+"/bulk", bytes.NewReader(b))
	if err != nil {
		return err
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		return err
	}
	return resp.Body.Close()
}

func seedGrid(ctx context.Context, c *streamClient, city string, rows, cols int) error {
	pairs := make([]bulkPair, 0, rows*cols)
	for r := 0; r < 120; r++ {
		for col := 0; col < 100; col++ {
			pairs = append(pairs, bulkPair{Key: fmt.Sprintf("grid:%s:%d:%d", city, r, col), Value: "0"})
		}
	}
	return c.bulkPut(ctx, pairs) // want `this bulk write sends 12000 pairs, but KV takes at most 10000 in one request`
}

func seedSmallGrid(ctx context.Context, c *streamClient, city string) error {
	var pairs []bulkPair
	for r := 0; r < 20; r++ {
		for col := 0; col < 20; col++ {
			pairs = append(pairs, bulkPair{Key: fmt.Sprintf("grid:%s:%d:%d", city, r, col), Value: "0"})
		}
	}
	if err := c.bulkPut(ctx, pairs); err != nil {
		return err
	}
	return c.bulkPutBuffered(ctx, pairs)
}

func seedGridBuffered(ctx context.Context, c *streamClient, city string) error {
	var pairs []bulkPair
	for r := 0; r < 110; r++ {
		for col := 0; col < 100; col++ {
			pairs = append(pairs, bulkPair{Key: fmt.Sprintf("grid:%s:%d:%d", city, r, col), Value: "0"})
		}
	}
	return c.bulkPutBuffered(ctx, pairs) // want `this bulk write sends 11000 pairs`
}
