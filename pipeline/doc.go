// Package pipeline will hold duoredis pipelines: buffered commands sent in
// one round trip, MULTI/EXEC transactions by default, WATCH with immediate
// mode, and the optimistic-retry Transaction helper. That work comes with the
// pipeline issue; nothing here works yet.
package pipeline
