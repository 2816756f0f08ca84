package apiclient

// The client is generated from the API's OpenAPI 3.0 document, so any client generated the same
// way from `sendflow openapi --version 3.0` drives the API with no hand edits. Regenerate both
// files after changing the API with `go generate ./internal/apiclient`;
// internal/app's TestGeneratedClientIsCurrent fails while they are stale.

//go:generate sh -c "go run ../../cmd/sendflow openapi --version 3.0 > openapi-3.0.json.tmp && mv openapi-3.0.json.tmp openapi-3.0.json || { rm -f openapi-3.0.json.tmp; exit 1; }"
//go:generate go tool oapi-codegen -config oapi-codegen.yaml openapi-3.0.json
