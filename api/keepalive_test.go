package api

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/danielgtaylor/huma/v2"
	"github.com/danielgtaylor/huma/v2/adapters/humago"
)

// TestLongActionKeepsTheConnectionUsable: an action that takes longer than Huma's body read
// timeout (an update waiting for its workflow) is not cancelled by it, and the next request the
// client sends on the same keep-alive connection is served. Found by the production drill: after
// one slow action, every later request on that connection answered 503 ("cannot reach its
// database") for ever, because the read deadline Huma sets after the JSON body had already been
// read ended the server's watch on the connection and cancelled its context.
func TestLongActionKeepsTheConnectionUsable(t *testing.T) {
	mux := http.NewServeMux()
	a := humago.New(mux, huma.DefaultConfig("test", "1"))
	type in struct {
		Body struct {
			Note string `json:"note"`
		}
	}
	type out struct {
		Body struct {
			Cancelled bool `json:"cancelled"`
		}
	}
	huma.Register(a, huma.Operation{OperationID: "slow", Method: http.MethodPost, Path: "/slow",
		BodyReadTimeout: 100 * time.Millisecond},
		func(ctx context.Context, _ *in) (*out, error) {
			// Wait well past the body read timeout, or until the request is cancelled.
			select {
			case <-ctx.Done():
			case <-time.After(1500 * time.Millisecond):
			}
			o := &out{}
			o.Body.Cancelled = ctx.Err() != nil
			return o, nil
		})
	srv := httptest.NewServer(Handler(mux, 1000))
	defer srv.Close()

	c := srv.Client() // one keep-alive connection for both requests
	for i := range 2 {
		req, _ := http.NewRequest(http.MethodPost, srv.URL+"/slow", strings.NewReader(`{"note":"x"}`))
		req.Header.Set("Content-Type", "application/json")
		resp, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || !strings.Contains(string(b), `"cancelled":false`) {
			t.Fatalf("request %d on the connection: %d %s; want 200, not cancelled", i+1, resp.StatusCode, b)
		}
	}
}
