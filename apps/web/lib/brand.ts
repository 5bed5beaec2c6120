import brand from "../brand.json";

/**
 * The installation's name, logo and accent colour. This repository ships Tandem's; a customer
 * repository sets its own in brand.json, which `tandem-web prepare` validates and writes into its
 * copy of the app (templates/customer), with the logo under public/brand/.
 */
export interface Brand {
  readonly name: string;
  /** One of Mantine's colours (blue, teal, grape, ...). */
  readonly primaryColor: string;
  /** The logo's path on the site, e.g. /brand/logo.svg. */
  readonly logo?: string;
}

export const BRAND: Brand = brand;
