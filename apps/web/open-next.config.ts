// OpenNext build settings (SST's NextjsSite runs OpenNext). The server function streams its
// responses (Lambda response streaming behind its function URL), so a reply proxied from the
// streaming API reaches the browser token by token instead of when it is complete.
const config = {
  default: {
    override: {
      wrapper: "aws-lambda-streaming",
    },
  },
};

export default config;
