/** @type {import('next').NextConfig} */
const nextConfig = {
  reactStrictMode: true,
  // Tests run two dev servers of this app side by side, each with its own build folder.
  distDir: process.env.NEXT_DIST_DIR ?? ".next",
  // Workspace packages ship TypeScript sources; Next compiles them with the app.
  transpilePackages: ["@tandem/client"],
  webpack(config) {
    // Our ESM sources import "./x.js" that is really "./x.ts".
    config.resolve.extensionAlias = { ".js": [".ts", ".tsx", ".js"] };
    return config;
  },
};

export default nextConfig;
